#!/usr/bin/env python3
"""Writes the snmpsim recordings of the OLTs netops has profiles for.

Each recording holds the system group, an IF-MIB table with the PON ports, and the vendor's ONU
optics/status tables with online ONUs, an offline ONU (the vendor's "no value" sentinel) and,
for VSOL, the string-valued optics. The raw values come from reference/devices.md, not from
netops's profiles, so a test comparing a profile's decoding with EXPECTED below checks the
profile against the device facts.

Run: python3 lab/snmpsim/make-recordings.py   (rewrites lab/snmpsim/*.snmprec)
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# snmprec tags: 2 Integer, 4 OctetString, 4x hex OctetString, 6 OID, 65 Counter32,
# 66 Gauge32, 67 TimeTicks, 70 Counter64.


def oid_key(oid):
    return [int(p) for p in oid.split(".")]


def write(name, rows):
    rows = sorted(rows, key=lambda r: oid_key(r[0]))
    with open(os.path.join(HERE, name + ".snmprec"), "w") as f:
        for oid, tag, value in rows:
            f.write(f"{oid}|{tag}|{value}\n")


def system(descr, object_id):
    return [
        ("1.3.6.1.2.1.1.1.0", "4", descr),
        ("1.3.6.1.2.1.1.2.0", "6", object_id),
        ("1.3.6.1.2.1.1.3.0", "67", "123456789"),
        ("1.3.6.1.2.1.1.5.0", "4", "lab-olt"),
    ]


def interfaces(ports):
    """ports: list of (ifIndex, ifName)."""
    rows = []
    for i, (index, name) in enumerate(ports):
        rows += [
            (f"1.3.6.1.2.1.2.2.1.1.{index}", "2", str(index)),
            (f"1.3.6.1.2.1.2.2.1.10.{index}", "65", str(1000 + i)),
            (f"1.3.6.1.2.1.2.2.1.16.{index}", "65", str(2000 + i)),
            (f"1.3.6.1.2.1.31.1.1.1.1.{index}", "4", name),
            (f"1.3.6.1.2.1.31.1.1.1.6.{index}", "70", str(10_000_000_000 + i)),
            (f"1.3.6.1.2.1.31.1.1.1.10.{index}", "70", str(20_000_000_000 + i)),
            (f"1.3.6.1.2.1.31.1.1.1.15.{index}", "66", "1000"),
            (f"1.3.6.1.2.1.31.1.1.1.19.{index}", "67", "0"),
        ]
    return rows


# Expected decoded values per recording: (frame/slot/port, onu id) -> (rx dBm or None, status).
EXPECTED = {}


def huawei():
    pon = 0xFA000000 + 1 * 8192 + 1 * 256  # frame 0, slot 1, port 1
    base = "1.3.6.1.4.1.2011.6.128.1.1.2"
    rows = system("Huawei Integrated Access Software MA5683T", "1.3.6.1.4.1.2011.2.248")
    rows += interfaces([(pon, "GPON 0/1/1")])
    onus = [(1, -1850, 210, 7500, 1), (2, -2712, 195, 7210, 1), (3, 2147483647, 2147483647, 2147483647, 2)]
    for onu, rx, tx, olt_rx, status in onus:
        idx = f"{pon}.{onu}"
        rows += [
            (f"{base}.51.1.4.{idx}", "2", str(rx)),
            (f"{base}.51.1.3.{idx}", "2", str(tx)),
            (f"{base}.51.1.6.{idx}", "2", str(olt_rx)),
            (f"{base}.51.1.1.{idx}", "2", "45" if status == 1 else "2147483647"),
            (f"{base}.46.1.15.{idx}", "2", str(status)),
            (f"{base}.46.1.24.{idx}", "2", "13" if status == 2 else "0"),
            (f"{base}.43.1.3.{idx}", "4x", "48575443" + f"{onu:08X}"),
            (f"{base}.43.1.9.{idx}", "4", f"customer-{onu}"),
            (f"{base}.46.1.2.{idx}", "2", "0"),
        ]
    EXPECTED["huawei-ma56xx-gpon"] = {("0/1/1", 1): (-18.5, "online"), ("0/1/1", 2): (-27.12, "online"), ("0/1/1", 3): (None, "dying_gasp")}
    write("huawei-ma56xx-gpon", rows)


def zte_1012():
    pon = 0x10000000 | (2 << 16) | (3 << 8)  # slot 2, port 3
    rows = system("ZXA10 C320 ZTE Corporation", "1.3.6.1.4.1.3902.1082.1001.320")
    rows += interfaces([(pon, "gpon_1/2/3")])
    # raw <= 30000: raw*0.002-30; raw > 30000: (raw-65535)*0.002-30; 65535: no value.
    onus = [(1, 5750, 21000), (2, 65535, 0), (3, 3000, 18500)]
    for onu, rx, olt_rx in onus:
        rows.append((f"1.3.6.1.4.1.3902.1012.3.50.12.1.1.10.{pon}.{onu}.1", "2", str(rx)))
        rows.append((f"1.3.6.1.4.1.3902.1015.1010.11.2.1.2.{pon}.{onu}", "2", str(-olt_rx)))
    EXPECTED["zte-c3xx-1012"] = {("1/2/3", 1): (-18.5, None), ("1/2/3", 2): (None, None), ("1/2/3", 3): (-24.0, None)}
    write("zte-c3xx-1012", rows)


def zte_1082():
    pon = 0x11010000 | (1 << 8) | 4  # slot 1, port 4
    rows = system("ZXA10 C600 ZTE Corporation", "1.3.6.1.4.1.3902.1082.1001.600")
    rows += interfaces([(pon, "gpon_olt-1/1/4")])
    onus = [(1, 5500, 4), (2, 65535, 2), (3, 4000, 5)]
    for onu, rx, status in onus:
        rows.append((f"1.3.6.1.4.1.3902.1082.500.20.2.2.2.1.10.{pon}.{onu}", "2", str(rx)))
        rows.append((f"1.3.6.1.4.1.3902.1082.500.10.2.3.8.1.4.{pon}.{onu}", "2", str(status)))
    EXPECTED["zte-1082"] = {("1/1/4", 1): (-19.0, "online"), ("1/1/4", 2): (None, "los"), ("1/1/4", 3): (-22.0, "dying_gasp")}
    write("zte-1082", rows)


def vsol():
    rows = system("V1600D EPON OLT", "1.3.6.1.4.1.37950.1.1.1")
    rows += interfaces([(1, "EPON0/1"), (2, "EPON0/2")])
    base = "1.3.6.1.4.1.37950.1.1.5.12.2.1.8.1"
    onus = [(1, 1, "0.01 mW (-19.87 dBm)", "1.62 mW (2.10 dBm)"), (1, 2, "0.00 mW (-23.19 dBm)", "1.58 mW (1.99 dBm)"), (2, 1, "--", "--")]
    for pon, onu, rx, tx in onus:
        idx = f"{pon}.{onu}"
        rows += [
            (f"{base}.3.{idx}", "4", "41.5 C" if rx != "--" else "--"),
            (f"{base}.4.{idx}", "4", "3.30 V" if rx != "--" else "--"),
            (f"{base}.5.{idx}", "4", "12.1 mA" if rx != "--" else "--"),
            (f"{base}.6.{idx}", "4", tx),
            (f"{base}.7.{idx}", "4", rx),
        ]
    EXPECTED["vsol-v1600d-epon"] = {("0/1", 1): (-19.87, None), ("0/1", 2): (-23.19, None), ("0/2", 1): (None, None)}
    write("vsol-v1600d-epon", rows)


def bdcom():
    rows = system("BDCOM(tm) P3310C Software", "1.3.6.1.4.1.3320.1.165")
    onu_ifs = [(43, "EPON0/1:1", -182, 21), (44, "EPON0/1:2", -265, 19)]
    rows += interfaces([(10, "EPON0/1")] + [(i, n) for i, n, _, _ in onu_ifs])
    for index, _, rx, tx in onu_ifs:
        rows.append((f"1.3.6.1.4.1.3320.101.10.5.1.5.{index}", "2", str(rx)))
        rows.append((f"1.3.6.1.4.1.3320.101.10.5.1.6.{index}", "2", str(tx)))
    EXPECTED["bdcom-epon"] = {("EPON0/1:1", 43): (-18.2, None), ("EPON0/1:2", 44): (-26.5, None)}
    write("bdcom-epon", rows)


def cdata():
    rows = system("C-Data FD1732S GPON OLT", "1.3.6.1.4.1.17409.1.10")
    rows += interfaces([(1, "gpon 0/1/1")])
    onus = [(1, -1920, 230, "gpon 0/1/1 onu 1"), (2, -4000, -4000, "gpon 0/1/1 onu 2")]
    for onu, rx, tx, name in onus:
        idx = f"1.{onu}"
        rows.append((f"1.3.6.1.4.1.17409.2.8.4.4.1.4.{idx}", "2", str(rx)))
        rows.append((f"1.3.6.1.4.1.17409.2.8.4.4.1.5.{idx}", "2", str(tx)))
        rows.append((f"1.3.6.1.4.1.17409.2.8.4.1.1.2.{idx}", "4", name))
    EXPECTED["cdata-fd1732s"] = {("0/1/1", 1): (-19.2, None), ("0/1/1", 2): (None, None)}
    write("cdata-fd1732s", rows)


if __name__ == "__main__":
    for make in (huawei, zte_1012, zte_1082, vsol, bdcom, cdata):
        make()
    for name, onus in sorted(EXPECTED.items()):
        print(name, onus)
