"""One-page PDFs written out by hand for the hidden-text tests: content streams with a Chinese font pypdf reads
without embedding (no module of the assistant imported, so the tests that use them start at once)."""

from __future__ import annotations

TITLE = "青山区安全生产工作通知"
SEEN = ["第一条 各单位应当落实安全生产主体责任。", "第二条 各单位应当定期开展隐患排查。"]

FONT = (
    "<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/UniGB-UCS2-H/DescendantFonts[<</Type/Font"
    "/Subtype/CIDFontType0/BaseFont/STSong-Light/CIDSystemInfo<</Registry(Adobe)/Ordering(GB1)/Supplement 0>>"
    "/DW 1000>>]>>"
)


def shown(text: str, x: float = 50, y: float = 700, size: float = 12, state: str = "") -> str:
    """A text object showing text at (x, y); state: text state operators set inside it (3 Tr, 5000 Ts...)."""
    return f"BT /F1 {size} Tf {state} {x} {y} Td <{text.encode('utf-16-be').hex()}> Tj ET"


def raw_pdf(
    content: str, resources: str = "", catalog: str = "", objects: tuple[str, ...] = (), page: str = ""
) -> bytes:
    """One A4 page with the given content (object 5); objects are 6 0 obj, 7 0 obj..."""
    bodies = [
        f"<</Type/Catalog/Pages 2 0 R{catalog}>>",
        "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]{page}/Resources<</Font<</F1 4 0 R>>{resources}>>"
        "/Contents 5 0 R>>",
        FONT,
        f"<</Length {len(content.encode())}>>stream\n{content}\nendstream",
        *objects,
    ]
    out, offsets = bytearray(b"%PDF-1.5\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer<</Size {len(bodies) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
