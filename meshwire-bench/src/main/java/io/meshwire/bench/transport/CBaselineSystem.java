package io.meshwire.bench.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * The C peers ({@code udp_baseline.c}): {@code c-mmsg} (sendmmsg/recvmmsg batches of 64) and {@code c-gso-gro}
 * ({@code UDP_SEGMENT} trains of 54 x 1200 B into a {@code UDP_GRO} receiver).
 */
final class CBaselineSystem implements TransportSystem {

    /** The name of the baseline every ratio is taken against. */
    static final String MMSG = "c-mmsg";
    /** The name of the GSO/GRO peer, run at {@link #GSO_SIZE} only. */
    static final String GSO_GRO = "c-gso-gro";
    /** The one datagram size the GSO peer is run at: 54 segments fill one 64800 B send. */
    static final int GSO_SIZE = 1200;

    private final String name;
    private final String mode;

    private CBaselineSystem(String name, String mode) {
        this.name = name;
        this.mode = mode;
    }

    static CBaselineSystem mmsg() {
        return new CBaselineSystem(MMSG, "mmsg");
    }

    static CBaselineSystem gsoGro() {
        return new CBaselineSystem(GSO_GRO, "gso");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supportsSize(int size) {
        return mode.equals("gso") ? size == GSO_SIZE : size >= 1 && size <= PeerSpec.MAX_SIZE;
    }

    @Override
    public List<String> receiverCommand(PeerSpec spec) {
        return command("recv", spec);
    }

    @Override
    public List<String> senderCommand(PeerSpec spec) {
        return command("send", spec);
    }

    private List<String> command(String role, PeerSpec spec) {
        List<String> command = new ArrayList<>();
        command.add(CBaseline.binary().toString());
        command.add(mode);
        command.add(role);
        command.addAll(spec.arguments());
        return command;
    }
}
