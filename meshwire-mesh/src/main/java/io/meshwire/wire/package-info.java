/**
 * net-mesh 0.27 wire format: the 68-byte little-endian packet header, event frames, the 18-byte routing
 * header and the handshake and heartbeat packet shapes, as flyweights over caller-owned buffers.
 */
package io.meshwire.wire;
