/**
 * The files step: a revision's declared files rendered and written under the agent's root,
 * atomically and with their modes; drift put back; files a previous revision placed and this
 * one no longer declares removed. Uses only java.nio.
 */
package io.voltis.agent.files;
