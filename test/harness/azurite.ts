// Azurite for tests: the harness lives with the other local stand-ins for Azure in sim/azurite.ts.
export * from '../../sim/azurite';
