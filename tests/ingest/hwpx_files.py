"""Hangul .hwpx packages for tests, written as 한글 writes them (OWPML 2011 namespaces, real part names)."""

from __future__ import annotations

import io
import zipfile

HP = 'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"'
HS = 'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section"'
HC = 'xmlns:hc="http://www.hancom.co.kr/hwpml/2011/core"'
HH = 'xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head"'

VERSION = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
    '<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" tagetApplication="WORDPROCESSOR" '
    'major="5" minor="1" micro="1" buildNumber="0" os="1" xmlVersion="1.5" application="Hancom Office Hangul" '
    'appVersion="12, 0, 0, 535 WIN32LEWindows_10"/>'
)
CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
    '<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
    'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf"><ocf:rootfiles>'
    '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
    "</ocf:rootfiles></ocf:container>"
)
# Styles as 한글's default template has them: 바탕글, 본문, 개요 1…; paragraph shape 5 has an outline heading.
HEADER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<hh:head {HH} {HC} version="1.5" secCnt="2">
<hh:beginNum page="1" footnote="1" endnote="1" pic="1" tbl="1" equation="1"/>
<hh:refList>
 <hh:paraProperties itemCnt="3">
  <hh:paraPr id="0" tabPrIDRef="0" condense="0"><hh:align horizontal="JUSTIFY" vertical="BASELINE"/>
   <hh:heading type="NONE" idRef="0" level="0"/></hh:paraPr>
  <hh:paraPr id="2" tabPrIDRef="0" condense="0"><hh:heading type="OUTLINE" idRef="1" level="0"/></hh:paraPr>
  <hh:paraPr id="5" tabPrIDRef="0" condense="0"><hh:heading type="OUTLINE" idRef="1" level="2"/></hh:paraPr>
 </hh:paraProperties>
 <hh:styles itemCnt="4">
  <hh:style id="0" type="PARA" name="바탕글" engName="Normal" paraPrIDRef="0" charPrIDRef="0" nextStyleIDRef="0"
   langID="1042" lockForm="0"/>
  <hh:style id="1" type="PARA" name="본문" engName="Body" paraPrIDRef="0" charPrIDRef="0" nextStyleIDRef="1"
   langID="1042" lockForm="0"/>
  <hh:style id="2" type="PARA" name="개요 1" engName="Outline 1" paraPrIDRef="2" charPrIDRef="0" nextStyleIDRef="2"
   langID="1042" lockForm="0"/>
  <hh:style id="3" type="PARA" name="개요 2" engName="Outline 2" paraPrIDRef="0" charPrIDRef="0" nextStyleIDRef="3"
   langID="1042" lockForm="0"/>
 </hh:styles>
</hh:refList></hh:head>"""


def paragraph(text: str, style: int = 0, shape: int = 0, inner: str = "") -> str:
    """One ``hp:p`` with its text in a run, as 한글 writes it (line layout included)."""
    return (
        f'<hp:p id="0" paraPrIDRef="{shape}" styleIDRef="{style}" pageBreak="0" columnBreak="0" merged="0">'
        f'<hp:run charPrIDRef="0">{inner}<hp:t>{text}</hp:t></hp:run>'
        '<hp:linesegarray><hp:lineseg textpos="0" vertpos="0" vertsize="1000" textheight="1000" baseline="850" '
        'spacing="600" horzpos="0" horzsize="42520" flags="393216"/></hp:linesegarray></hp:p>'
    )


def table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<hp:tr>"
        + "".join(
            f'<hp:tc name="" header="0" hasMargin="0" protect="0" editable="0" dirty="0" borderFillIDRef="1">'
            f'<hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" vertAlign="CENTER">{paragraph(text)}'
            f'</hp:subList><hp:cellAddr colAddr="{c}" rowAddr="{r}"/><hp:cellSpan colSpan="1" rowSpan="1"/></hp:tc>'
            for c, text in enumerate(row)
        )
        + "</hp:tr>"
        for r, row in enumerate(rows)
    )
    return (
        '<hp:p id="0" paraPrIDRef="0" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0"><hp:run charPrIDRef="0">'
        f'<hp:tbl id="1" zOrder="0" numberingType="TABLE" rowCnt="{len(rows)}" colCnt="{len(rows[0])}">{cells}</hp:tbl>'
        "<hp:t/></hp:run></hp:p>"
    )


def section(*paragraphs: str) -> str:
    body = "".join(paragraphs)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes" ?><hs:sec {HS} {HP} {HC}>{body}</hs:sec>'


def content_hpf(title: str, sections: list[str]) -> str:
    items = "".join(f'<opf:item id="{s}" href="Contents/{s}.xml" media-type="application/xml"/>' for s in sections)
    spine = "".join(f'<opf:itemref idref="{s}" linear="yes"/>' for s in sections)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
        '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'version="" unique-identifier="" id="">'
        f"<opf:metadata><opf:title>{title}</opf:title><opf:language>ko</opf:language>"
        '<opf:meta name="creator" content="text">user</opf:meta></opf:metadata>'
        '<opf:manifest><opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
        f'{items}<opf:item id="settings" href="settings.xml" media-type="application/xml"/></opf:manifest>'
        f'<opf:spine><opf:itemref idref="header" linear="yes"/>{spine}</opf:spine></opf:package>'
    )


def hwpx(sections: dict[str, str], title: str = "", spine: list[str] | None = None) -> bytes:
    """A .hwpx package: mimetype first and stored, version.xml, META-INF, content.hpf, header and sections."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("version.xml", VERSION)
        archive.writestr("META-INF/container.xml", CONTAINER)
        if spine is not None:
            archive.writestr("Contents/content.hpf", content_hpf(title, spine))
        archive.writestr("Contents/header.xml", HEADER)
        for name, body in sections.items():
            archive.writestr(f"Contents/{name}.xml", body)
        archive.writestr(
            "settings.xml", '<ha:HWPApplicationSetting xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app"/>'
        )
    return buffer.getvalue()
