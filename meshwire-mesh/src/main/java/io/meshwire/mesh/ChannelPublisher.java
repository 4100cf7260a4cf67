package io.meshwire.mesh;

import java.util.ArrayList;
import java.util.List;

/**
 * A channel this node publishes: its name, the stream configuration its fan-out uses, and its subscribers (peers
 * whose 0x0A00 Subscribe this node accepted). Get one with {@link MeshNode#publisher}; publish with
 * {@link MeshNode#publish}. Each subscriber gets its own unicast stream, id {@link ChannelName#publishStreamId()},
 * with the channel's wire hash in every header.
 */
public final class ChannelPublisher {
    private final ChannelName channel;
    private final StreamConfig config;
    final Roster roster;

    ChannelPublisher(ChannelName channel, StreamConfig config, Roster roster) {
        this.channel = channel;
        this.config = config;
        this.roster = roster;
    }

    /** @return the channel */
    public ChannelName channel() {
        return channel;
    }

    /** @return the configuration of the per-subscriber streams */
    public StreamConfig config() {
        return config;
    }

    /** @return the node ids of the current subscribers */
    public List<Long> subscribers() {
        Peer[] members = roster.members();
        List<Long> ids = new ArrayList<>(members.length);
        for (Peer p : members) {
            ids.add(p.nodeId);
        }
        return ids;
    }

    @Override
    public String toString() {
        return "ChannelPublisher(" + channel + ", " + config.reliability() + ", " + roster.members().length
                + " subscribers)";
    }
}

/** The subscribers of one channel: a copy-on-write array, read without locking or allocation by publishers. */
final class Roster {
    private static final Peer[] NONE = new Peer[0];
    final ChannelName channel;
    private volatile Peer[] members = NONE;

    Roster(ChannelName channel) {
        this.channel = channel;
    }

    Peer[] members() {
        return members;
    }

    synchronized boolean contains(Peer peer) {
        for (Peer p : members) {
            if (p == peer) {
                return true;
            }
        }
        return false;
    }

    synchronized boolean add(Peer peer) {
        if (contains(peer)) {
            return false;
        }
        Peer[] next = java.util.Arrays.copyOf(members, members.length + 1);
        next[members.length] = peer;
        members = next;
        return true;
    }

    synchronized boolean remove(Peer peer) {
        Peer[] current = members;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == peer) {
                Peer[] next = new Peer[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                members = next;
                return true;
            }
        }
        return false;
    }
}
