/** The command line was used wrongly: exit code 2 with the usage text. */
export class UsageError extends Error {}
