-- The revision store (io.voltis.sync.store.H2RevisionStore). Times are UTC instants, written
-- at offset Z with nanoseconds. Long texts are clipped by the store to 100,000 characters.

-- Every commit the agent fetched. seq orders commits first seen at the same instant.
CREATE TABLE revisions (
    sha          VARCHAR(64) PRIMARY KEY,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY NOT NULL UNIQUE,
    author       VARCHAR(1000),
    committed_at TIMESTAMP(9) WITH TIME ZONE,
    message      VARCHAR(100000),
    first_seen   TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    validation   VARCHAR(16) DEFAULT 'PENDING' NOT NULL CHECK (validation IN ('PENDING', 'VALID', 'INVALID')),
    problems     VARCHAR(100000)
);
CREATE INDEX revisions_newest ON revisions (first_seen DESC, seq DESC);

-- Every attempt to apply a revision; RUNNING until it finishes.
CREATE TABLE applies (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha         VARCHAR(64) NOT NULL,
    started_at  TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP(9) WITH TIME ZONE,
    result      VARCHAR(16) NOT NULL CHECK (result IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'INTERRUPTED')),
    error       VARCHAR(100000)
);
CREATE INDEX applies_by_result ON applies (result, id);

-- The CLI's pin: one row or none.
CREATE TABLE pin (
    id       INT DEFAULT 1 PRIMARY KEY CHECK (id = 1),
    revision VARCHAR(1000) NOT NULL,
    set_at   TIMESTAMP(9) WITH TIME ZONE NOT NULL
);

-- What the agent last knew of the Git source: one row or none.
CREATE TABLE source_state (
    id            INT DEFAULT 1 PRIMARY KEY CHECK (id = 1),
    last_poll_at  TIMESTAMP(9) WITH TIME ZONE,
    last_fetch_at TIMESTAMP(9) WITH TIME ZONE,
    head_revision VARCHAR(64),
    reachable     BOOLEAN NOT NULL,
    reason        VARCHAR(100),
    error         VARCHAR(100000),
    failing_since TIMESTAMP(9) WITH TIME ZONE
);

-- Recent events; the store keeps the newest 1,000.
CREATE TABLE events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    type     VARCHAR(100) NOT NULL,
    revision VARCHAR(64),
    message  VARCHAR(100000)
);

-- Workload trees of applied revisions; applied_at is the last save or apply start of that sha.
-- digest is the SHA-256 (hex) of bytes: H2 keeps no checksum of a page's content, so damage
-- inside a BLOB would otherwise read back as a different archive.
CREATE TABLE archives (
    sha        VARCHAR(64) PRIMARY KEY,
    bytes      BLOB NOT NULL,
    digest     CHAR(64) NOT NULL,
    applied_at TIMESTAMP(9) WITH TIME ZONE NOT NULL
);
