/**
 * Datagram endpoints: native (FFM recvmmsg/sendmmsg, GSO/GRO) and portable NIO backends, received inline by the
 * consumer or by a dedicated receive thread.
 */
package io.meshwire.transport;
