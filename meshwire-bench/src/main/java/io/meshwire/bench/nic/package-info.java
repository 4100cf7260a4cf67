/**
 * Benchmarks of the per-NIC socket set ({@code io.meshwire.nic.NicSocketSet}) side by side with the
 * single-socket transport: {@link io.meshwire.bench.nic.NicSetReceiveBenchmark}, fed by
 * {@link io.meshwire.bench.nic.FloodSender} in a separate process.
 */
package io.meshwire.bench.nic;
