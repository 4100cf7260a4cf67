/** Benchmarks: JMH micro-benchmarks and side-by-side end-to-end harnesses with peer systems. */
package io.meshwire.bench;
