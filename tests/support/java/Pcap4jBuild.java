// Builds packets with Pcap4J's own Builders and prints each one's getRawData() as hex, one line each.
//
// Each line of stdin is one packet: its headers outermost first, separated by " | ", each a kind and
// key=value fields ("eth dst=02:00:00:00:00:02 src=02:00:00:00:00:01 type=0x0800 | ipv4 ... | tcp ...").
// Every builder is told correctChecksumAtBuild, correctLengthAtBuild and paddingAtBuild where it has
// them; a TCP, UDP or ICMPv6 builder gets the addresses of the IP header around it, as Pcap4J needs.
// tests/decode/test_builders.py builds the same packets with pycapture's builders and compares.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pcap4j.packet.*;
import org.pcap4j.packet.factory.PacketFactories;
import org.pcap4j.packet.namednumber.*;
import org.pcap4j.util.ByteArrays;
import org.pcap4j.util.MacAddress;

public class Pcap4jBuild {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) {
        continue;
      }
      String[] layers = line.split(" \\| ");
      List<Map<String, String>> specs = new ArrayList<>();
      for (String layer : layers) {
        Map<String, String> spec = new HashMap<>();
        String[] words = layer.trim().split(" ");
        spec.put("", words[0]);
        for (int i = 1; i < words.length; i++) {
          int eq = words[i].indexOf('=');
          spec.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        specs.add(spec);
      }
      // the addresses each header's checksum covers: those of the nearest IP header outside it
      InetAddress[][] outer = new InetAddress[specs.size()][];
      InetAddress[] current = null;
      for (int i = 0; i < specs.size(); i++) {
        outer[i] = current;
        Map<String, String> s = specs.get(i);
        if (s.get("").equals("ipv4") || s.get("").equals("ipv6")) {
          current = new InetAddress[] {InetAddress.getByName(s.get("src")), InetAddress.getByName(s.get("dst"))};
        }
      }
      Packet.Builder inner = null;
      for (int i = specs.size() - 1; i >= 0; i--) {
        inner = builder(specs.get(i), inner, outer[i]);
      }
      System.out.println(ByteArrays.toHexString(inner.build().getRawData(), ""));
    }
  }

  private static int num(Map<String, String> s, String key, int otherwise) {
    String v = s.get(key);
    return v == null ? otherwise : Integer.decode(v);
  }

  private static long big(Map<String, String> s, String key) {
    String v = s.get(key);
    return v == null ? 0 : Long.decode(v);
  }

  private static boolean flag(Map<String, String> s, String key) {
    return "1".equals(s.get(key));
  }

  private static Packet.Builder icmp4(Map<String, String> s, int type, Packet.Builder body) {
    return new IcmpV4CommonPacket.Builder()
        .type(IcmpV4Type.getInstance((byte) type))
        .code(IcmpV4Code.getInstance((byte) type, (byte) num(s, "code", 0)))
        .payloadBuilder(body)
        .correctChecksumAtBuild(true);
  }

  private static Packet.Builder icmp6(
      Map<String, String> s, int type, Packet.Builder body, InetAddress[] ip) {
    return new IcmpV6CommonPacket.Builder()
        .type(IcmpV6Type.getInstance((byte) type))
        .code(IcmpV6Code.getInstance((byte) type, (byte) num(s, "code", 0)))
        .srcAddr((Inet6Address) ip[0])
        .dstAddr((Inet6Address) ip[1])
        .payloadBuilder(body)
        .correctChecksumAtBuild(true);
  }

  // Neighbor Discovery options from their raw bytes, comma-separated, parsed by Pcap4J's factory
  private static List<IcmpV6CommonPacket.IpV6NeighborDiscoveryOption> ndOptions(Map<String, String> s) {
    List<IcmpV6CommonPacket.IpV6NeighborDiscoveryOption> options = new ArrayList<>();
    if (s.containsKey("opts")) {
      for (String hex : s.get("opts").split(",")) {
        byte[] raw = ByteArrays.parseByteArray(hex, "");
        options.add(
            PacketFactories.getFactory(
                    IcmpV6CommonPacket.IpV6NeighborDiscoveryOption.class,
                    IpV6NeighborDiscoveryOptionType.class)
                .newInstance(raw, 0, raw.length, IpV6NeighborDiscoveryOptionType.getInstance(raw[0])));
      }
    }
    return options;
  }

  private static Packet.Builder builder(Map<String, String> s, Packet.Builder payload, InetAddress[] ip)
      throws Exception {
    switch (s.get("")) {
      case "raw":
        return new UnknownPacket.Builder().rawData(ByteArrays.parseByteArray(s.get("data"), ""));
      case "eth":
        return new EthernetPacket.Builder()
            .dstAddr(MacAddress.getByName(s.get("dst")))
            .srcAddr(MacAddress.getByName(s.get("src")))
            .type(EtherType.getInstance((short) num(s, "type", 0)))
            .payloadBuilder(payload)
            .paddingAtBuild(true);
      case "vlan":
        return new Dot1qVlanTagPacket.Builder()
            .priority((byte) num(s, "priority", 0))
            .cfi(flag(s, "cfi"))
            .vid((short) num(s, "vid", 0))
            .type(EtherType.getInstance((short) num(s, "type", 0)))
            .payloadBuilder(payload);
      case "arp":
        return new ArpPacket.Builder()
            .hardwareType(ArpHardwareType.ETHERNET)
            .protocolType(EtherType.IPV4)
            .hardwareAddrLength((byte) 6)
            .protocolAddrLength((byte) 4)
            .operation(ArpOperation.getInstance((short) num(s, "op", 1)))
            .srcHardwareAddr(MacAddress.getByName(s.get("sha")))
            .srcProtocolAddr(InetAddress.getByName(s.get("spa")))
            .dstHardwareAddr(MacAddress.getByName(s.get("tha")))
            .dstProtocolAddr(InetAddress.getByName(s.get("tpa")));
      case "ipv4":
        return new IpV4Packet.Builder()
            .version(IpVersion.IPV4)
            .tos(IpV4Rfc791Tos.newInstance((byte) num(s, "tos", 0)))
            .identification((short) num(s, "id", 0))
            .dontFragmentFlag(flag(s, "df"))
            .moreFragmentFlag(flag(s, "mf"))
            .fragmentOffset((short) num(s, "offset", 0))
            .ttl((byte) num(s, "ttl", 64))
            .protocol(IpNumber.getInstance((byte) num(s, "proto", 0)))
            .srcAddr((Inet4Address) InetAddress.getByName(s.get("src")))
            .dstAddr((Inet4Address) InetAddress.getByName(s.get("dst")))
            .payloadBuilder(payload)
            .correctChecksumAtBuild(true)
            .correctLengthAtBuild(true)
            .paddingAtBuild(true);
      case "ipv6":
        return new IpV6Packet.Builder()
            .version(IpVersion.IPV6)
            .trafficClass(IpV6SimpleTrafficClass.newInstance((byte) num(s, "tc", 0)))
            .flowLabel(IpV6SimpleFlowLabel.newInstance(num(s, "flow", 0)))
            .nextHeader(IpNumber.getInstance((byte) num(s, "nh", 0)))
            .hopLimit((byte) num(s, "hlim", 64))
            .srcAddr((Inet6Address) InetAddress.getByName(s.get("src")))
            .dstAddr((Inet6Address) InetAddress.getByName(s.get("dst")))
            .payloadBuilder(payload)
            .correctLengthAtBuild(true);
      case "tcp":
        List<TcpPacket.TcpOption> options = new ArrayList<>();
        if (s.containsKey("opts")) {
          for (String hex : s.get("opts").split(",")) {
            byte[] raw = ByteArrays.parseByteArray(hex, "");
            options.add(
                PacketFactories.getFactory(TcpPacket.TcpOption.class, TcpOptionKind.class)
                    .newInstance(raw, 0, raw.length, TcpOptionKind.getInstance(raw[0])));
          }
        }
        return new TcpPacket.Builder()
            .srcPort(TcpPort.getInstance((short) num(s, "sport", 0)))
            .dstPort(TcpPort.getInstance((short) num(s, "dport", 0)))
            .sequenceNumber((int) big(s, "seq"))
            .acknowledgmentNumber((int) big(s, "ack"))
            .urg(flag(s, "urg"))
            .ack(flag(s, "ackf"))
            .psh(flag(s, "psh"))
            .rst(flag(s, "rst"))
            .syn(flag(s, "syn"))
            .fin(flag(s, "fin"))
            .window((short) num(s, "window", 0))
            .urgentPointer((short) num(s, "urgp", 0))
            .options(options)
            .srcAddr(ip[0])
            .dstAddr(ip[1])
            .payloadBuilder(payload)
            .correctChecksumAtBuild(true)
            .correctLengthAtBuild(true)
            .paddingAtBuild(true);
      case "udp":
        return new UdpPacket.Builder()
            .srcPort(UdpPort.getInstance((short) num(s, "sport", 0)))
            .dstPort(UdpPort.getInstance((short) num(s, "dport", 0)))
            .srcAddr(ip[0])
            .dstAddr(ip[1])
            .payloadBuilder(payload)
            .correctChecksumAtBuild(true)
            .correctLengthAtBuild(true);
      case "icmp4echo":
        return new IcmpV4CommonPacket.Builder()
            .type(IcmpV4Type.getInstance((byte) num(s, "type", 8)))
            .code(IcmpV4Code.getInstance((byte) num(s, "type", 8), (byte) 0))
            .payloadBuilder(
                new IcmpV4EchoPacket.Builder()
                    .identifier((short) num(s, "id", 0))
                    .sequenceNumber((short) num(s, "seq", 0))
                    .payloadBuilder(payload))
            .correctChecksumAtBuild(true);
      case "icmp4unreach":
        return new IcmpV4CommonPacket.Builder()
            .type(IcmpV4Type.DESTINATION_UNREACHABLE)
            .code(IcmpV4Code.getInstance((byte) 3, (byte) num(s, "code", 0)))
            .payloadBuilder(
                new IcmpV4DestinationUnreachablePacket.Builder().unused(0).payload(payload.build()))
            .correctChecksumAtBuild(true);
      case "icmp6echo":
        int type = num(s, "type", 128);
        Packet.Builder echo =
            type == 128
                ? new IcmpV6EchoRequestPacket.Builder()
                    .identifier((short) num(s, "id", 0))
                    .sequenceNumber((short) num(s, "seq", 0))
                    .payloadBuilder(payload)
                : new IcmpV6EchoReplyPacket.Builder()
                    .identifier((short) num(s, "id", 0))
                    .sequenceNumber((short) num(s, "seq", 0))
                    .payloadBuilder(payload);
        return new IcmpV6CommonPacket.Builder()
            .type(IcmpV6Type.getInstance((byte) type))
            .code(IcmpV6Code.getInstance((byte) type, (byte) 0))
            .srcAddr((Inet6Address) ip[0])
            .dstAddr((Inet6Address) ip[1])
            .payloadBuilder(echo)
            .correctChecksumAtBuild(true);
      case "llc":
        return new LlcPacket.Builder()
            .dsap(LlcNumber.getInstance((byte) num(s, "dsap", 0xaa)))
            .ssap(LlcNumber.getInstance((byte) num(s, "ssap", 0xaa)))
            .control(LlcControlUnnumbered.newInstance((byte) num(s, "control", 3)))
            .payloadBuilder(payload);
      case "snap":
        return new SnapPacket.Builder()
            .oui(Oui.getInstance(num(s, "oui", 0)))
            .protocolId(EtherType.getInstance((short) num(s, "pid", 0)))
            .payloadBuilder(payload);
      case "icmp4redirect":
        return icmp4(s, 5, new IcmpV4RedirectPacket.Builder()
            .gatewayInternetAddress((Inet4Address) InetAddress.getByName(s.get("gw")))
            .payload(payload.build()));
      case "icmp4param":
        return icmp4(s, 12, new IcmpV4ParameterProblemPacket.Builder()
            .pointer((byte) num(s, "pointer", 0))
            .unused(0)
            .payload(payload.build()));
      case "icmp4quench":
        return icmp4(s, 4, new IcmpV4SourceQuenchPacket.Builder().unused(0).payload(payload.build()));
      case "icmp4timestamp":
        int tsType = num(s, "type", 13);
        Packet.Builder stamp =
            tsType == 13
                ? new IcmpV4TimestampPacket.Builder()
                    .identifier((short) num(s, "id", 0))
                    .sequenceNumber((short) num(s, "seq", 0))
                    .originateTimestamp((int) big(s, "ots"))
                    .receiveTimestamp((int) big(s, "rts"))
                    .transmitTimestamp((int) big(s, "tts"))
                : new IcmpV4TimestampReplyPacket.Builder()
                    .identifier((short) num(s, "id", 0))
                    .sequenceNumber((short) num(s, "seq", 0))
                    .originateTimestamp((int) big(s, "ots"))
                    .receiveTimestamp((int) big(s, "rts"))
                    .transmitTimestamp((int) big(s, "tts"));
        return icmp4(s, tsType, stamp);
      case "icmp6error":
        int errType = num(s, "type", 1);
        Packet invoking = payload.build();
        Packet.Builder error;
        if (errType == 1) {
          error = new IcmpV6DestinationUnreachablePacket.Builder().unused((int) big(s, "value")).payload(invoking);
        } else if (errType == 2) {
          error = new IcmpV6PacketTooBigPacket.Builder().mtu((int) big(s, "value")).payload(invoking);
        } else if (errType == 3) {
          error = new IcmpV6TimeExceededPacket.Builder().unused((int) big(s, "value")).payload(invoking);
        } else {
          error = new IcmpV6ParameterProblemPacket.Builder().pointer((int) big(s, "value")).payload(invoking);
        }
        return icmp6(s, errType, error, ip);
      case "icmp6rs":
        return icmp6(s, 133, new IcmpV6RouterSolicitationPacket.Builder().reserved(0).options(ndOptions(s)), ip);
      case "icmp6ra":
        return icmp6(s, 134, new IcmpV6RouterAdvertisementPacket.Builder()
            .curHopLimit((byte) num(s, "hlim", 0))
            .managedAddressConfigurationFlag(flag(s, "m"))
            .otherConfigurationFlag(flag(s, "o"))
            .reserved((byte) 0)
            .routerLifetime((short) num(s, "lifetime", 0))
            .reachableTime((int) big(s, "reachable"))
            .retransTimer((int) big(s, "retrans"))
            .options(ndOptions(s)), ip);
      case "icmp6redirect":
        return icmp6(s, 137, new IcmpV6RedirectPacket.Builder()
            .reserved(0)
            .targetAddress((Inet6Address) InetAddress.getByName(s.get("target")))
            .destinationAddress((Inet6Address) InetAddress.getByName(s.get("dest")))
            .options(ndOptions(s)), ip);
      case "ipv6frag":
        return new IpV6ExtFragmentPacket.Builder()
            .nextHeader(IpNumber.getInstance((byte) num(s, "nh", 0)))
            .reserved((byte) 0)
            .fragmentOffset((short) num(s, "offset", 0))
            .res((byte) 0)
            .m(flag(s, "m"))
            .identification((int) big(s, "id"))
            .payloadBuilder(payload);
      case "sctp":
        List<SctpPacket.SctpChunk> chunks = new ArrayList<>();
        for (String hex : s.get("chunks").split(",")) {
          byte[] raw = ByteArrays.parseByteArray(hex, "");
          chunks.add(
              PacketFactories.getFactory(SctpPacket.SctpChunk.class, SctpChunkType.class)
                  .newInstance(raw, 0, raw.length, SctpChunkType.getInstance(raw[0])));
        }
        return new SctpPacket.Builder()
            .srcPort(SctpPort.getInstance((short) num(s, "sport", 0)))
            .dstPort(SctpPort.getInstance((short) num(s, "dport", 0)))
            .verificationTag((int) big(s, "vtag"))
            .chunks(chunks)
            .correctChecksumAtBuild(true);
      case "dns":
        DnsPacket.Builder dns = new DnsPacket.Builder()
            .id((short) num(s, "id", 0))
            .response(flag(s, "qr"))
            .opCode(DnsOpCode.QUERY)
            .recursionDesired(flag(s, "rd"))
            .recursionAvailable(flag(s, "ra"))
            .rCode(DnsRCode.NO_ERROR)
            .qdCount((short) 1)
            .questions(java.util.Collections.singletonList(
                new DnsQuestion.Builder()
                    .qName(new DnsDomainName.Builder().labels(s.get("name").split("\\.")).build())
                    .qType(DnsResourceRecordType.A)
                    .qClass(DnsClass.IN)
                    .build()));
        if (s.containsKey("a")) {
          dns.anCount((short) 1)
              .answers(java.util.Collections.singletonList(
                  new DnsResourceRecord.Builder()
                      .name(new DnsDomainName.Builder().labels(s.get("name").split("\\.")).build())
                      .dataType(DnsResourceRecordType.A)
                      .dataClass(DnsClass.IN)
                      .ttl((int) big(s, "ttl"))
                      .rData(new DnsRDataA.Builder()
                          .address((Inet4Address) InetAddress.getByName(s.get("a")))
                          .build())
                      .correctLengthAtBuild(true)
                      .build()));
        }
        return dns;
      case "sll":
        return new LinuxSllPacket.Builder()
            .packetType(LinuxSllPacketType.getInstance((short) num(s, "pkttype", 0)))
            .addressType(ArpHardwareType.ETHERNET)
            .addressLength((short) 6)
            .address(MacAddress.getByName(s.get("addr")).getAddress())
            .protocol(EtherType.getInstance((short) num(s, "type", 0)))
            .payloadBuilder(payload);
      case "null":
        return new BsdLoopbackPacket.Builder()
            .protocolFamily(ProtocolFamily.getInstance(num(s, "family", 2)))
            .payloadBuilder(payload);
      case "radiotap":
        List<RadiotapPacket.RadiotapData> data = new ArrayList<>();
        data.add(new RadiotapDataFlags.Builder().shortPreamble(true).includingFcs(true).build());
        data.add(new RadiotapDataRate.Builder().rate((byte) num(s, "rate", 2)).build());
        data.add(new RadiotapDataAntenna.Builder().antenna((byte) num(s, "antenna", 0)).build());
        return new RadiotapPacket.Builder()
            .version((byte) 0)
            .pad((byte) 0)
            .presentBitmasks(java.util.Collections.singletonList(
                new RadiotapPresentBitmask.Builder()
                    .namespace("")
                    .bitNumbers(java.util.Arrays.asList(
                        RadiotapPresentBitNumber.FLAGS,
                        RadiotapPresentBitNumber.RATE,
                        RadiotapPresentBitNumber.ANTENNA))
                    .build()))
            .dataFields(data)
            .payloadBuilder(payload)
            .correctLengthAtBuild(true);
      case "dot11probe":
        return new Dot11ProbeRequestPacket.Builder()
            .frameControl(new Dot11FrameControl.Builder()
                .protocolVersion(Dot11FrameControl.ProtocolVersion.V0)
                .type(Dot11FrameType.PROBE_REQUEST)
                .build())
            .duration((short) num(s, "duration", 0))
            .address1(MacAddress.getByName(s.get("a1")))
            .address2(MacAddress.getByName(s.get("a2")))
            .address3(MacAddress.getByName(s.get("a3")))
            .sequenceControl(new Dot11SequenceControl.Builder()
                .sequenceNumber((short) num(s, "seq", 0))
                .fragmentNumber((byte) 0)
                .build())
            .ssid(new Dot11SsidElement.Builder().ssid(s.get("ssid")).correctLengthAtBuild(true).build())
            .correctChecksumAtBuild(true);
      default:
        throw new IllegalArgumentException("unknown kind " + s.get(""));
    }
  }
}
