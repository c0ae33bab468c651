/**
 * Packages a workload needs: system packages by name ({@code system/}: apt, dnf, apk, each
 * checked before any install) and artifacts downloaded over HTTP(S), verified by SHA-256 and
 * extracted with path checks ({@code artifact/}). Commands and downloads go through small
 * injectable seams so tests use real processes and a real HTTP server.
 */
package io.voltis.agent.packages;
