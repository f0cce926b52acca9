import path from 'node:path';
import { findWorkspaceRoot } from '@dofs/local-aws';

export { findWorkspaceRoot };

export const workspacePath = (...segments: string[]): string => path.join(findWorkspaceRoot(), ...segments);
