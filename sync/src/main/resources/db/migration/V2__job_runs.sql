-- Every run of a workload job. A 'once' job with any row here never runs again on this device,
-- even if the run was cut short (INTERRUPTED): "once ever" wins over "finished".
CREATE TABLE job_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job         VARCHAR(200) NOT NULL,
    revision    VARCHAR(64),
    trigger_    VARCHAR(16) NOT NULL CHECK (trigger_ IN ('per-revision', 'once', 'schedule')),
    started_at  TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP(9) WITH TIME ZONE,
    result      VARCHAR(16) NOT NULL CHECK (result IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'INTERRUPTED')),
    exit_code   INT,
    output      VARCHAR(100000)
);
CREATE INDEX job_runs_by_job ON job_runs (job, id DESC);
