/**
 * The daemon: scheduling, the reconciler, runtimes and the status API. Nothing in sync or
 * model depends on this module.
 */
package io.voltis.agent;
