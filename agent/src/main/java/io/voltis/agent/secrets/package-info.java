/**
 * Secrets in Git: the device's age identity ({@link io.voltis.agent.secrets.DeviceIdentity}) and
 * the decryption of age files encrypted to it ({@link io.voltis.agent.secrets.SecretBox}), through
 * the jagged library. Nothing here logs, stores or returns plaintext except to the caller that
 * writes it. See docs/secrets.md and docs/decisions/0039.
 */
package io.voltis.agent.secrets;
