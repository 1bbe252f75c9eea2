"""Draws the home-screen icons of the installable app (tadiao/static/tadiao/icons/): the favicon's tower crane,
white on the header blue, at 192 and 512 px, and a 512 px maskable one with the crane inside the safe circle.

Run with the project's Python (Pillow is a dependency): .venv/bin/python scripts/make_icons.py"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "tadiao" / "static" / "tadiao" / "icons"
BLUE = (11, 79, 156, 255)
WHITE = (255, 255, 255, 255)


def crane(size: int, *, scale: float, rounded: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=BLUE)
    else:
        draw.rectangle((0, 0, size - 1, size - 1), fill=BLUE)
    box = size * scale  # the crane's square, centred
    left = (size - box) / 2
    top = (size - box) / 2
    line = max(2, round(box * 0.09))

    def at(x: float, y: float) -> tuple[float, float]:
        return left + x * box, top + y * box

    mast_x = 0.22
    jib_y = 0.12
    draw.rectangle((*at(mast_x, jib_y), at(mast_x, 1.0)[0] + line, at(0, 1.0)[1]), fill=WHITE)  # mast
    draw.rectangle((*at(0.0, jib_y), at(1.0, 0)[0], at(0, jib_y)[1] + line), fill=WHITE)  # jib
    hook_x = at(0.78, 0)[0]
    draw.rectangle((hook_x, at(0, jib_y)[1], hook_x + line * 0.6, at(0, 0.52)[1]), fill=WHITE)  # cable
    draw.rectangle((hook_x - line * 0.9, *at(0, 0.52)[1:], hook_x + line * 1.5, at(0, 0.52)[1] + line), fill=WHITE)
    draw.rectangle((*at(0.0, 1.0 - 0.02), at(0.55, 0)[0], at(0, 1.0)[1]), fill=WHITE)  # base
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        crane(size, scale=0.62, rounded=True).save(OUT / f"icon-{size}.png", optimize=True)
    crane(512, scale=0.5, rounded=False).save(OUT / "icon-maskable-512.png", optimize=True)
    crane(180, scale=0.62, rounded=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
