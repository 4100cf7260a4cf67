/**
 * net-mesh 0.27 packet crypto: ChaCha20-Poly1305 sealing in place, the 1024-counter replay window, a general
 * Noise (rev 34) handshake engine and net-mesh's NKpsk0 key schedule on top of it.
 */
package io.meshwire.crypto;
