-- The health gate (docs/agent.md, "The health gate"): what it found of a revision applied
-- ('PASSED': verified good; 'FAILED': quarantined or held), and why it failed.
ALTER TABLE revisions ADD COLUMN gate VARCHAR(16);
ALTER TABLE revisions ADD COLUMN gate_reason VARCHAR(4000);

-- The revision on probation now, one row or none, kept across restarts: an agent that dies
-- inside the window counts an attempt. rollback: the revision was restored by a rollback (a
-- rollback target that fails its own gate is held, never rolled back again).
CREATE TABLE probation (
    id         INT DEFAULT 1 PRIMARY KEY CHECK (id = 1),
    sha        VARCHAR(64) NOT NULL,
    started_at TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    attempts   INT NOT NULL,
    rollback   BOOLEAN NOT NULL
);
