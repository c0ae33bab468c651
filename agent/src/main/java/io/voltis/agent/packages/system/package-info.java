/**
 * System packages through the device's own package manager (apt, dnf, apk): each request is
 * checked first ({@code dpkg-query}, {@code rpm -q}, {@code apk info -e}) and installed
 * non-interactively only when missing. Every command goes through {@link
 * io.voltis.agent.packages.system.CommandRunner}, whose default runs real child processes with
 * a timeout and bounded output; nothing here reads the agent's environment or uses a shell.
 */
package io.voltis.agent.packages.system;
