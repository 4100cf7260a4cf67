/**
 * EPICS name search over UDP: Channel Access and PVAccess codecs, a search client, a name server and a beacon
 * monitor, with the protocol logic apart from the sockets.
 *
 * <h2>Layers</h2>
 * <ul>
 *   <li>Codecs (flyweights over {@link java.lang.foreign.MemorySegment}, no allocation, never throwing on input):
 *       {@link io.meshwire.epics.CaMessageFlyweight} walks the messages of a CA datagram,
 *       {@link io.meshwire.epics.CaEncoder} writes them; {@link io.meshwire.epics.PvaMessageFlyweight} walks PVA
 *       messages in either byte order, {@link io.meshwire.epics.PvaSearchFlyweight},
 *       {@link io.meshwire.epics.PvaSearchResponseFlyweight} and {@link io.meshwire.epics.PvaBeaconFlyweight} read
 *       their payloads, {@link io.meshwire.epics.PvaSearchEncoder}, {@link io.meshwire.epics.PvaSearchResponseEncoder}
 *       and {@link io.meshwire.epics.PvaEncoder} write them. Bad input is counted by
 *       {@link io.meshwire.epics.EpicsDropReason}.</li>
 *   <li>Protocol logic without sockets: {@link io.meshwire.epics.SearchResponder} (datagram in, replies out, per-source
 *       rate limit), {@link io.meshwire.epics.SearchClient} (rounds with libca's doubling backoff, reply matching),
 *       {@link io.meshwire.epics.BeaconTracker}; configuration from the EPICS environment in
 *       {@link io.meshwire.epics.EpicsNetworkConfig} and {@link io.meshwire.epics.SearchTargets}; the name directory
 *       in {@link io.meshwire.epics.NameDirectory} and {@link io.meshwire.epics.NameDirectoryFile}.</li>
 *   <li>The socket seam {@link io.meshwire.epics.EpicsTransport}: receive with the arrival NIC, send, send through a
 *       NIC, fan out over every NIC. {@link io.meshwire.epics.NicSetTransport} implements it over a per-NIC
 *       {@link io.meshwire.nic.NicSocketSet} (the tools' default), {@link io.meshwire.epics.EndpointTransport} over
 *       one {@link io.meshwire.transport.DatagramEndpoint} (loopback, unicast address lists).</li>
 *   <li>Runners that join the two: {@link io.meshwire.epics.EpicsSearch}, {@link io.meshwire.epics.NameServer}
 *       (with optional beacons announcing it, {@link io.meshwire.epics.BeaconSenderConfig}),
 *       {@link io.meshwire.epics.BeaconListener}.</li>
 * </ul>
 */
package io.meshwire.epics;
