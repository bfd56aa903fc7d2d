"""Render resources/icon.svg (the master) into the PNG sizes, the .ico and the .icns.

    .venv/bin/python scripts/make_icons.py      (needs Pillow: pip install pillow)

Qt renders the SVG; Pillow writes the Windows and macOS containers. The outputs are
committed, so builds do not need Pillow.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(RESOURCES / "icon.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/icon.svg is not a valid SVG")
    images = {size: render(renderer, size) for size in PNG_SIZES}
    for size, image in images.items():
        image.save(RESOURCES / f"icon-{size}.png")
    images[256].save(RESOURCES / "icon.ico", sizes=[(s, s) for s in ICO_SIZES])
    images[1024].save(RESOURCES / "icon.icns")
    print("wrote", ", ".join(sorted(p.name for p in RESOURCES.glob("icon*"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
