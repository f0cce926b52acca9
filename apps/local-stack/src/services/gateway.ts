// The HTTP API on its port: api-handler behind the routes' JWT authorizer, the local issuer's
// endpoints and the dashboard's pages. It listens first, so a taken port fails before Java starts;
// requests wait until the rest of the stack is ready.
import { authorizerAudience, STAGE_THROTTLE, startApiGateway, type ThrottleSettings } from '../apigw/gateway';
import { DISCOVERY_PATH, JWKS_PATH, TOKEN_PATH } from '@dofs/local-aws/auth';
import { DASHBOARD_DATA_PATH, dashboardPages, type DashboardSources } from '../dashboard';
import { HOST } from '../constants';
import type { LambdaService } from '../lambda/runtime';
import type { LocalAuth } from '../stack-options';
import { StackStartError, type StackPlan } from './plan';
import type { Running } from './started';

export interface GatewayService extends Running {
  url: string;
  auth: LocalAuth;
}

export async function startGateway(
  plan: StackPlan,
  options: { port: number; throttle: ThrottleSettings | false | undefined; lambdas: LambdaService; ready: Promise<{ dashboard: DashboardSources }> },
): Promise<GatewayService> {
  const { logger, authMaterial } = plan;
  try {
    const api = await startApiGateway({
      host: HOST,
      port: options.port,
      throttle: options.throttle === false ? undefined : (options.throttle ?? STAGE_THROTTLE),
      auth: { material: authMaterial, enforce: plan.authMode === 'jwt' },
      invoke: async (event) => {
        await options.ready;
        return options.lambdas.get('api-handler').invoke(event);
      },
      // The dashboard polls every 2 s: its successful reads are not logged.
      onRequest: (log) => (log.path === DASHBOARD_DATA_PATH && log.statusCode === 200 ? undefined : logger.api(log)),
      localPages: dashboardPages(async () => (await options.ready).dashboard),
    });
    if (!api.issuer) {
      await api.close();
      throw new Error('the gateway has no issuer');
    }
    return {
      url: api.url,
      auth: {
        mode: plan.authMode,
        issuer: api.issuer,
        audience: authorizerAudience(authMaterial),
        clientId: authMaterial.clientId,
        discoveryUrl: `${api.url}${DISCOVERY_PATH}`,
        jwksUrl: `${api.url}${JWKS_PATH}`,
        tokenEndpoint: `${api.url}${TOKEN_PATH}`,
        dir: authMaterial.dir,
      },
      stop: () => api.close(),
    };
  } catch (error) {
    if ((error as Error).name === 'PortUnavailableError') {
      throw new StackStartError(`${(error as Error).message}: stop whatever uses it or start with --port <n> (or PORT=<n>)`);
    }
    throw error;
  }
}
