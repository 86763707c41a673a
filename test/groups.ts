/** Command-line settings of groups several end-to-end suites run. */

/** A small SAC + TD3 group on Pendulum-v1 (its TD3 peer learns from step 100): `steps` env steps per peer. */
export const mixedSacTd3Group = (steps: number): string[] => [
  "--preset",
  "pendulum-v1/peer-learning",
  "--steps",
  String(steps),
  "--set",
  'peers=[{"kind":"sac","sac":{"netArch":[32,32],"batchSize":32}},{"kind":"td3","td3":{"netArch":[32,32],"batchSize":32,"learningStarts":100}}]',
  "--set",
  "evalFreq=500",
  "--set",
  "evalEpisodes=1",
  "--set",
  "group.minEpochLength=500",
];
