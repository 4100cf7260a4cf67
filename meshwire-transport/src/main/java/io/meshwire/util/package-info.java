/**
 * Small utilities shared by every meshwire module: counters by enum reason and rate-limited warnings. Public only
 * so the other modules can use them; not part of the networking API.
 */
package io.meshwire.util;
