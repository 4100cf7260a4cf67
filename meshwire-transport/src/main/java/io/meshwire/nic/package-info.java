/**
 * Network interfaces for per-NIC socket sets: the interface map ({@link io.meshwire.nic.InterfaceMap}) with
 * change detection, and the pure routing rules ({@link io.meshwire.nic.NicRouting}) that pick the NIC a datagram
 * should leave through.
 *
 * <p>The unit is one {@link io.meshwire.nic.NetworkInterfaceInfo} per address (aliases give several entries),
 * because a per-NIC socket set binds one socket per address and routes between those sockets. Change detection
 * groups the entries per NIC ({@link io.meshwire.nic.Nic}, keyed by ifindex and name).
 */
package io.meshwire.nic;
