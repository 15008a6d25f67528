package com.postroom.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An authoritative-looking DNS server on loopback (UDP and TCP on one port) for the doctor's tests: records are added
 * per test; a name can be made to answer SERVFAIL or not answer at all. Nothing leaves the machine.
 */
public final class FakeDns implements AutoCloseable {

    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queries = new AtomicInteger();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile boolean open = true;

    private FakeDns(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        Thread u = new Thread(this::serveUdp, "fake-dns-udp");
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(this::serveTcp, "fake-dns-tcp");
        t.setDaemon(true);
        t.start();
    }

    public static FakeDns start() {
        for (int attempt = 0; ; attempt++) {
            ServerSocket tcp = null;
            try {
                tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        tcp.getLocalPort()));
                return new FakeDns(udp, tcp);
            } catch (IOException e) {
                closeQuietly(tcp);
                if (attempt == 10) {
                    throw new IllegalStateException("no free port for the fake DNS server", e);
                }
            }
        }
    }

    /** The value for DNS_RESOLVER. */
    public String address() {
        return "127.0.0.1:" + tcp.getLocalPort();
    }

    public int queries() {
        return queries.get();
    }

    public void clear() {
        records.clear();
        servfail.clear();
        silent.clear();
    }

    /** Takes away every record of these names. */
    public FakeDns remove(String... names) {
        for (String n : names) {
            records.remove(name(n));
        }
        return this;
    }

    /** Takes away the records of one type at a name. */
    public FakeDns remove(String name, int type) {
        records.getOrDefault(name(name), new ArrayList<>()).removeIf(r -> r.getType() == type);
        return this;
    }

    public FakeDns a(String name, String... addresses) {
        for (String a : addresses) {
            add(new ARecord(name(name), DClass.IN, 300, address(a)));
        }
        return this;
    }

    public FakeDns aaaa(String name, String address) {
        return add(new AAAARecord(name(name), DClass.IN, 300, address(address)));
    }

    public FakeDns mx(String name, int preference, String host) {
        return add(new MXRecord(name(name), DClass.IN, 300, preference, name(host)));
    }

    /** One TXT record; a value longer than 255 characters is split into several strings, as a zone would. */
    public FakeDns txt(String name, String value) {
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < value.length(); i += 255) {
            strings.add(value.substring(i, Math.min(value.length(), i + 255)));
        }
        return add(new TXTRecord(name(name), DClass.IN, 300, strings.isEmpty() ? List.of("") : strings));
    }

    public FakeDns ptr(String address, String host) {
        return add(new PTRRecord(ReverseMap.fromAddress(address(address)), DClass.IN, 300, name(host)));
    }

    public FakeDns cname(String name, String target) {
        return add(new CNAMERecord(name(name), DClass.IN, 300, name(target)));
    }

    public FakeDns servfail(String name) {
        servfail.add(name(name));
        return this;
    }

    /** Queries for this name get no answer at all: the resolver times out. */
    public FakeDns silent(String name) {
        silent.add(name(name));
        return this;
    }

    private FakeDns add(Record r) {
        records.computeIfAbsent(r.getName(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(r);
        return this;
    }

    /** The answer to one query, or null for no answer. */
    private Message answer(Message query) {
        queries.incrementAndGet();
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.getHeader().setFlag(Flags.RA);
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        if (silent.contains(name)) {
            return null;
        }
        if (servfail.contains(name)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        for (int hops = 0; hops < 8; hops++) {
            List<Record> here = records.getOrDefault(name, List.of());
            Record cname = here.stream().filter(r -> r.getType() == Type.CNAME).findFirst().orElse(null);
            if (cname != null && question.getType() != Type.CNAME) {
                response.addRecord(cname, Section.ANSWER);
                name = ((CNAMERecord) cname).getTarget();
                continue;
            }
            here.stream().filter(r -> r.getType() == question.getType())
                    .forEach(r -> response.addRecord(r, Section.ANSWER));
            if (here.isEmpty() && response.getSection(Section.ANSWER).isEmpty() && !hasChildren(name)) {
                response.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            break;
        }
        return response;
    }

    private boolean hasChildren(Name name) {
        return records.keySet().stream().anyMatch(n -> n.subdomain(name));
    }

    private void serveUdp() {
        byte[] buffer = new byte[4096];
        while (open) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Message response = answer(query);
                if (response == null) {
                    continue;
                }
                OPTRecord opt = query.getOPT();
                int max = opt == null ? 512 : Math.max(512, opt.getPayloadSize());
                byte[] wire = response.toWire(max); // sets TC when it does not fit, so the client retries over TCP
                udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void serveTcp() {
        while (open) {
            try {
                Socket s = tcp.accept();
                Thread t = new Thread(() -> serveTcp(s), "fake-dns-tcp-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void serveTcp(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                int length = in.readUnsignedShort();
                byte[] bytes = in.readNBytes(length);
                Message response = answer(new Message(bytes));
                if (response == null) {
                    Thread.sleep(60_000);
                    return;
                }
                byte[] wire = response.toWire();
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client closed the connection
        }
    }

    private static Name name(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        open = false;
        udp.close();
        closeQuietly(tcp);
    }
}
