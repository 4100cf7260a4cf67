/**
 * The mesh node: Noise sessions over UDP, heartbeats and failure detection, streams with credit backpressure and
 * optional reliability (NACK, RTO, reset), channel pub/sub, and PSK-authenticated discovery beacons, wire-compatible
 * with net-mesh 0.27 where net-mesh defines the behaviour. Start at {@link io.meshwire.mesh.MeshNode}.
 */
package io.meshwire.mesh;
