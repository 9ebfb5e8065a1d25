package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/megatui/megatui/model"
)

// Fixture is a folder holding every kind of duplicate, with the handles
// of its nodes (lists in upload order). Sizes and original mtimes are
// chosen so that every dedupe mode keeps a different, unambiguous node
// where it can:
//
//	report.pdf ×3      identical (same size and content); mtimes 2021, 2023, 2022
//	notes.txt ×2       same size (700 B), different content; mtimes 2022, 2021
//	song.mp3 ×3        different sizes 3000 B (2023), 5000 B (2022), 4000 B (2024)
//	IMG_0001.jpg ×4    A 2000 B (2020), A' = A (2024), B 1500 B (2022), C 3000 B (2019)
//	Trip/ ×2           duplicate folders: {a.jpg, common.txt v1 (2020)} and
//	                   {b.jpg, c.jpg, common.txt v2 (2023)}; merging makes
//	                   common.txt collide
//	Photo.jpg, photo.jpg   case collision
//	café.txt ×2        NFC and NFD spellings (a normalisation collision)
//	unique.txt         no duplicate
//	Archive/report (copy).pdf   same content as report.pdf under another name
type Fixture struct {
	Dir  string // handle of the fixture folder
	Path string // its path

	Identical []string
	SameSize  []string
	Sizes     []string
	Mixed     []string
	Folders   []string
	// TripSmall and TripBig are the children of Folders[0] and Folders[1]:
	// a.jpg, common.txt; and b.jpg, c.jpg, common.txt.
	TripSmall   []string
	TripBig     []string
	Case        []string
	Norm        []string
	Unique      string
	Archive     string
	ContentCopy string

	folders, files int
	bytes          int64
}

// The fixture's file count (for progress before it exists).
const fixtureFileCount = 3 + 2 + 3 + 4 + 5 + 2 + 2 + 1 + 1

// Names in the fixture (NFC and NFD spellings of café.txt).
const (
	NameCafeNFC = "caf\u00e9.txt"
	NameCafeNFD = "cafe\u0301.txt"
)

// SeedDuplicates creates the fixture in folder dir (a path, created if
// missing), uploading one file at a time so upload times follow the
// listed order as closely as MEGA's one-second timestamps allow.
func SeedDuplicates(ctx context.Context, c Client, dir string) (Fixture, error) {
	fx := Fixture{Path: dir}
	root, err := c.MkdirAll(ctx, dir)
	if err != nil {
		return fx, fmt.Errorf("demo: duplicates: %w", err)
	}
	fx.Dir = root.ID
	var firstErr error
	up := func(parent, name string, data []byte, t time.Time) string {
		if firstErr != nil {
			return ""
		}
		e, err := c.Upload(ctx, parent, name, bytes.NewReader(data), int64(len(data)), t, nil)
		if err != nil {
			firstErr = fmt.Errorf("demo: duplicates: upload %s: %w", model.DisplayName(name), err)
			return ""
		}
		fx.files++
		fx.bytes += int64(len(data))
		return e.ID
	}
	mkdir := func(parent, name string) string {
		if firstErr != nil {
			return ""
		}
		e, err := c.Mkdir(ctx, parent, name)
		if err != nil {
			firstErr = fmt.Errorf("demo: duplicates: mkdir %s: %w", model.DisplayName(name), err)
			return ""
		}
		fx.folders++
		return e.ID
	}
	d := fx.Dir
	report := Binary("report", 9000)
	for _, y := range []int{2021, 2023, 2022} {
		fx.Identical = append(fx.Identical, up(d, "report.pdf", report, day(y, 5, 1)))
	}
	fx.SameSize = append(fx.SameSize,
		up(d, "notes.txt", Text("notes-1", 700), day(2022, 1, 1)),
		up(d, "notes.txt", Text("notes-2", 700), day(2021, 1, 1)))
	fx.Sizes = append(fx.Sizes,
		up(d, "song.mp3", Binary("song-1", 3000), day(2023, 1, 1)),
		up(d, "song.mp3", Binary("song-2", 5000), day(2022, 1, 1)),
		up(d, "song.mp3", Binary("song-3", 4000), day(2024, 1, 1)))
	img := Binary("img-a", 2000)
	fx.Mixed = append(fx.Mixed,
		up(d, "IMG_0001.jpg", img, day(2020, 6, 1)),
		up(d, "IMG_0001.jpg", img, day(2024, 6, 1)),
		up(d, "IMG_0001.jpg", Binary("img-b", 1500), day(2022, 6, 1)),
		up(d, "IMG_0001.jpg", Binary("img-c", 3000), day(2019, 6, 1)))
	small, big := mkdir(d, "Trip"), mkdir(d, "Trip")
	fx.Folders = []string{small, big}
	fx.TripSmall = append(fx.TripSmall,
		up(small, "a.jpg", Binary("trip-a", 1200), day(2020, 7, 1)),
		up(small, "common.txt", Text("common-1", 300), day(2020, 7, 2)))
	fx.TripBig = append(fx.TripBig,
		up(big, "b.jpg", Binary("trip-b", 1300), day(2023, 7, 1)),
		up(big, "c.jpg", Binary("trip-c", 1400), day(2023, 7, 1)),
		up(big, "common.txt", Text("common-2", 310), day(2023, 7, 2)))
	fx.Case = append(fx.Case,
		up(d, "Photo.jpg", Binary("photo-upper", 1100), day(2021, 2, 2)),
		up(d, "photo.jpg", Binary("photo-lower", 1150), day(2021, 2, 3)))
	fx.Norm = append(fx.Norm,
		up(d, NameCafeNFC, Text("cafe-nfc", 250), day(2022, 2, 2)),
		up(d, NameCafeNFD, Text("cafe-nfd", 260), day(2022, 2, 3)))
	fx.Unique = up(d, "unique.txt", Text("unique", 420), day(2024, 2, 2))
	fx.Archive = mkdir(d, "Archive")
	fx.ContentCopy = up(fx.Archive, "report (copy).pdf", report, day(2025, 1, 1))
	return fx, firstErr
}
