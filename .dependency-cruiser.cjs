/**
 * The layers, held by `npm run deps` in the test command (README "How it works"). Each folder may import
 * only folders before it in LAYERS, so no two folders import each other, directly or around a loop. The
 * faces (cli, server, web) reach the core only through the app: src/app/index.ts.
 */
const LAYERS = [
  // the shared kernel: error kinds, helpers, the version
  ['src/errors.ts', 'src/version.ts', 'src/util'],
  // pure types and rules: no adapter, no node: module
  ['src/domain'],
  ['src/config'],
  // adapters
  ['src/store'],
  ['src/docker'],
  ['src/notify'],
  ['src/database'],
  ['src/compose'],
  ['src/swarm'],
  ['src/versions'],
  ['src/logs'],
  // the operation runner every workflow shares
  ['src/ops'],
  // workflows
  ['src/carryover'],
  ['src/backup'],
  ['src/deploy'],
  ['src/offsite'],
  ['src/doctor'],
  ['src/init'],
  ['src/users'],
  // the application layer, then the faces and the composition root that builds both
  ['src/app'],
  ['src/server'],
  ['web'],
  ['src/main'],
  ['src/cli'],
];

const FACES = '^(src/cli|src/server|web)/';
const esc = (p) => p.replace(/[.]/g, '\\.');
const pathOf = (parts) => `^(${parts.map((p) => (p.endsWith('.ts') ? `${esc(p)}$` : `${esc(p)}/`)).join('|')})`;

const layerRules = LAYERS.map((parts, i) => ({
  name: `layer-${parts[0].replace(/^src\//, '')}`,
  comment: `${parts.join(', ')} may import only what comes before it in LAYERS (.dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path: pathOf(parts) },
  to: { path: '^(src|web)/', pathNot: pathOf(LAYERS.slice(0, i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'faces-through-app',
      comment: 'the faces reach the core only through src/app/index.ts (plus errors, util, version, main)',
      severity: 'error',
      from: { path: FACES },
      to: {
        path: '^src/',
        pathNot: '^src/(app/index\\.ts$|errors\\.ts$|version\\.ts$|util/|main/|cli/|server/)',
      },
    },
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds types and rules: no node: module, no package',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-circular',
      comment: 'no module reaches itself through what it runs (a type may name its neighbour back)',
      severity: 'error',
      from: { path: '^(src|web)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
