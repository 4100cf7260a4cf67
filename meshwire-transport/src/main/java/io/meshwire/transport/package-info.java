/** Datagram endpoints: native (FFM recvmmsg/sendmmsg, GSO/GRO) and portable NIO backends. */
package io.meshwire.transport;
