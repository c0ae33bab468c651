/**
 * The reconcile tick: compares the desired revision with what the device runs and acts only
 * on drift, as an ordered list of steps (files, packages, jobs, services), always writing
 * status. Uses the sync API for revisions and the runtime, package and job seams; it does not
 * import Quartz, JDBC or HTTP.
 */
package io.voltis.agent.reconcile;
