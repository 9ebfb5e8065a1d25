package operations

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/megatui/megatui/model"
)

// cyclicFs is a tree whose folder "b" lists "a" again as its child: what
// a server sending a parent cycle looks like to a walk.
type cyclicFs struct{ Fs }

func (cyclicFs) String() string { return "cyclic" }
func (cyclicFs) Root(context.Context) (model.Entry, error) {
	return model.Entry{ID: "root", Name: "", Kind: model.KindDir}, nil
}
func (cyclicFs) List(_ context.Context, id string) ([]model.Entry, error) {
	switch id {
	case "root":
		return []model.Entry{{ID: "a", Name: "a", Kind: model.KindDir}}, nil
	case "a":
		return []model.Entry{{ID: "b", Name: "b", Kind: model.KindDir}}, nil
	default:
		return []model.Entry{{ID: "a", Name: "a", Kind: model.KindDir}}, nil
	}
}

func TestWalkStopsAtAParentCycle(t *testing.T) {
	t.Parallel()
	_, err := Walk(context.Background(), cyclicFs{}, WalkOptions{})
	if !errors.Is(err, model.ErrInvalidReply) {
		t.Fatalf("got %v, want %v", err, model.ErrInvalidReply)
	}
	if want := "a/b/a: folder reached twice (a parent cycle)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v does not say %q", err, want)
	}
}
