/**
 * The side-by-side event benchmark ({@code meshwire bench mesh}): a publisher process streams fixed-size events to
 * a subscriber process through one system (meshwire's mesh node with encryption on, Aeron with an embedded media
 * driver), and the subscriber reports events/s, bytes/s and the publish-to-delivery latency distribution.
 */
package io.meshwire.bench.mesh;
