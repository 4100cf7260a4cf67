package io.meshwire.nic;

import java.util.Arrays;

/**
 * What one {@link NicSocketSet#fanout} did on each NIC. The object is reused: the set hands each calling thread
 * its own instance and refills it on that thread's next fan-out, so a fan-out allocates nothing in the steady
 * state. Read it before fanning out again on the same thread, or keep a {@link #copy()}.
 */
public final class FanoutResult {
  private NicSocket[] sockets = new NicSocket[4];
  private SendResult[] results = new SendResult[4];
  private int count;

  FanoutResult() {}

  void clear() {
    Arrays.fill(sockets, 0, count, null);
    count = 0;
  }

  void add(NicSocket socket, SendResult result) {
    if (count == sockets.length) {
      sockets = Arrays.copyOf(sockets, count * 2);
      results = Arrays.copyOf(results, count * 2);
    }
    sockets[count] = socket;
    results[count] = result;
    count++;
  }

  /** How many NICs were tried: every up, non-loopback NIC socket of the set's family. */
  public int attempted() {
    return count;
  }

  /** How many NICs sent the datagram. */
  public int sent() {
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (results[i] == SendResult.SENT) {
        n++;
      }
    }
    return n;
  }

  /** Whether at least one NIC sent it. */
  public boolean anySent() {
    return sent() > 0;
  }

  /** Whether every tried NIC sent it (false when none was tried). */
  public boolean allSent() {
    return count > 0 && sent() == count;
  }

  /**
   * The socket tried at position {@code i}.
   *
   * @param i 0 .. {@link #attempted()} - 1
   * @throws IndexOutOfBoundsException if {@code i} is out of range
   */
  public NicSocket socket(int i) {
    return sockets[java.util.Objects.checkIndex(i, count)];
  }

  /**
   * What happened at position {@code i}.
   *
   * @param i 0 .. {@link #attempted()} - 1
   * @throws IndexOutOfBoundsException if {@code i} is out of range
   */
  public SendResult result(int i) {
    return results[java.util.Objects.checkIndex(i, count)];
  }

  /** A copy that is not reused. */
  public FanoutResult copy() {
    FanoutResult c = new FanoutResult();
    for (int i = 0; i < count; i++) {
      c.add(sockets[i], results[i]);
    }
    return c;
  }

  /** One {@code nic=result} pair per NIC. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("FanoutResult[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      NetworkInterfaceInfo nic = sockets[i].nic();
      sb.append(nic.name()).append('#').append(nic.index()).append('=').append(results[i]);
    }
    return sb.append(']').toString();
  }
}
