/** Base of the projections' errors; `code` is stable and part of the public API. */
export abstract class ProjectionError extends Error {
  abstract readonly code: string;
}

/** A projection's `apply` (or the parsing before it) threw; its checkpoint stays at the last good event. */
export class ProjectionApplyError extends ProjectionError {
  readonly code = 'LDG_PROJECTION_APPLY_FAILED';
  constructor(
    readonly projection: string,
    readonly position: number,
    readonly eventType: string,
    cause: unknown,
  ) {
    super(
      `Projection '${projection}' failed on event ${eventType} at position ${position}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = 'ProjectionApplyError';
  }
}

/** The read model cannot answer: it is being built for a new projection version, or the runner stopped. */
export class ProjectionNotReadyError extends ProjectionError {
  readonly code = 'LDG_PROJECTION_NOT_READY';
  constructor(
    readonly projection: string,
    reason: string,
  ) {
    super(`Projection '${projection}' cannot answer queries: ${reason}`);
    this.name = 'ProjectionNotReadyError';
  }
}

/** The runner was asked about a projection it does not run, or to run it twice. */
export class UnknownProjectionError extends ProjectionError {
  readonly code = 'LDG_PROJECTION_UNKNOWN';
  constructor(readonly projection: string) {
    super(`No projection named '${projection}' is registered with this runner`);
    this.name = 'UnknownProjectionError';
  }
}

/** Building a read model in a worker thread failed; `code` is the worker's error's code when it had one. */
export class ProjectionBuildError extends ProjectionError {
  readonly code: string;
  constructor(
    readonly projection: string,
    code: string | null,
    message: string,
  ) {
    super(`Building the read model of projection '${projection}' in a worker thread failed: ${message}`);
    this.name = 'ProjectionBuildError';
    this.code = code ?? 'LDG_PROJECTION_BUILD_FAILED';
  }
}
