-- What verifying a commit's signature found (verify: warn | enforce): the result word
-- ('Verified', 'Unsigned', 'UnknownSigner', 'BadSignature', 'ExpiredKey', 'RevokedKey',
-- 'NotDescendant', or 'Accepted' for a CLI pin given --allow-unverified), who signed it
-- (principal, key type and fingerprint) and the one-line reason. NULL: never verified.
ALTER TABLE revisions ADD COLUMN trust VARCHAR(16);
ALTER TABLE revisions ADD COLUMN signer VARCHAR(1000);
ALTER TABLE revisions ADD COLUMN trust_message VARCHAR(2000);

-- A CLI pin the operator accepted without a verified signature (pin/rollback --allow-unverified).
ALTER TABLE pin ADD COLUMN allow_unverified BOOLEAN DEFAULT FALSE NOT NULL;
