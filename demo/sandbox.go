package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"time"
)

// Sandbox writes a small local folder of sample files into dir (created
// if missing) for the demo's local pane: text, real PNG images, binaries,
// nested folders and Unicode names. Existing files are overwritten; other
// files in dir are left alone. It returns the number of files written.
func Sandbox(dir string) (int, error) {
	files := []struct {
		path string
		data []byte
		t    time.Time
	}{
		{"README.txt", []byte("This is the megatui demo sandbox: a local folder you can copy to and\nfrom the demo MEGA account. Nothing here is sent anywhere else.\n"), day(2025, 5, 1)},
		{"notes/todo.md", []byte("# To do\n\n- [ ] copy the photos to MEGA\n- [ ] clean up the duplicates\n- [x] try megatui\n"), day(2025, 5, 2)},
		{"notes/meeting 2025-05-03.txt", Text("meeting", 1500), day(2025, 5, 3)},
		{"notes/日本語のメモ.txt", Text("nihongo", 600), day(2025, 5, 4)},
		{"notes/Ünïcödé – ñame.md", Text("unicode", 500), day(2025, 5, 5)},
		{"images/gradient.png", gradientPNG(64, 48), day(2025, 4, 1)},
		{"images/checker.png", checkerPNG(48, 48, 6), day(2025, 4, 2)},
		{"images/🌈 rainbow.png", gradientPNG(120, 16), day(2025, 4, 3)},
		{"data/random.bin", Binary("sandbox-random", 64<<10), day(2025, 3, 1)},
		{"data/upload-me.bin", Binary("sandbox-upload", 1<<20), day(2025, 3, 2)},
		{"projects/hello/main.go", []byte("package main\n\nfunc main() { println(\"hello\") }\n"), day(2025, 2, 1)},
		{"projects/hello/nested/deeper/deepest.txt", []byte("you found the deepest file\n"), day(2025, 2, 2)},
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, fmt.Errorf("demo sandbox: %w", err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return 0, fmt.Errorf("demo sandbox: %w", err)
		}
		if err := os.Chtimes(p, f.t, f.t); err != nil {
			return 0, fmt.Errorf("demo sandbox: %w", err)
		}
	}
	return len(files), nil
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // unreachable: encoding an in-memory RGBA image cannot fail
	}
	return b.Bytes()
}

func gradientPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(255 * x / max(w-1, 1)), uint8(255 * y / max(h-1, 1)), 160, 255})
		}
	}
	return encodePNG(img)
}

func checkerPNG(w, h, cell int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{30, 30, 30, 255}
			if (x/cell+y/cell)%2 == 0 {
				c = color.RGBA{230, 230, 230, 255}
			}
			img.Set(x, y, c)
		}
	}
	return encodePNG(img)
}
