package api

import (
	"errors"
	"maps"
	"net/http"
	"slices"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// The number segment table (号段) and ported numbers (携号转网), edited on
// top of the loaded data file (docs/api.md "Number segments"). Platform
// administrators change it, audited; they and auditors read it, as they
// read the gateways it routes to. A change routes the next message on
// every node without a restart (core/segedits.go).

func (s *Server) segmentRoutes() []adminRoute {
	var rts []adminRoute
	for _, k := range segKinds {
		rts = append(rts,
			adminRoute{"GET /api/v1/admin/segments/" + k.path, platformRO, s.adminSegList(k)},
			adminRoute{"GET /api/v1/admin/segments/" + k.path + "/{key}", platformRO, s.adminSegGet(k)},
			adminRoute{"PUT /api/v1/admin/segments/" + k.path + "/{key}", platformAll, s.adminSegPut(k)},
			adminRoute{"DELETE /api/v1/admin/segments/" + k.path + "/{key}", platformAll, s.adminSegDelete(k)},
		)
	}
	return rts
}

// segKind is one of the two tables: its path, the store's kind, the JSON
// name of its key and its audit object.
type segKind struct{ path, kind, field, object string }

var segKinds = []segKind{
	{path: "prefixes", kind: store.SegPrefix, field: "prefix", object: "segment_prefix"},
	{path: "ported", kind: store.SegPorted, field: "number", object: "ported_number"},
}

func (k segKind) json(key string, now core.SegmentNow) map[string]any {
	return map[string]any{k.field: key, "operator": now.Operator, "file_operator": now.Loaded, "edited": now.Edited}
}

// key reads the path's {key}, normalised; false after writing the refusal.
func (s *Server) segKey(w http.ResponseWriter, r *http.Request, k segKind) (string, bool) {
	key, err := core.CheckSegmentKey(k.kind, r.PathValue("key"))
	if err != nil {
		s.writeErr(w, r, err)
		return "", false
	}
	return key, true
}

// adminSegList lists the edits (with who made them and when), or with
// ?all=1 the whole table in force, file and edits, by key.
func (s *Server) adminSegList(k segKind) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, u *store.User) {
		out := []map[string]any{}
		if r.URL.Query().Get("all") == "1" {
			prefixes, ported := s.core.Segments().Entries()
			table := prefixes
			if k.kind == store.SegPorted {
				table = ported
			}
			for _, key := range slices.Sorted(maps.Keys(table)) {
				out = append(out, k.json(key, s.core.SegmentOf(k.kind, key)))
			}
			writeJSON(w, http.StatusOK, map[string]any{k.path: out})
			return
		}
		es, err := s.core.SegmentEdits(r.Context())
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		for _, e := range es {
			if e.Kind != k.kind {
				continue
			}
			m := k.json(e.Key, s.core.SegmentOf(k.kind, e.Key))
			m["removed"], m["updated_by"], m["updated_at"] = e.Operator == "", e.UpdatedBy, ts(e.UpdatedAt)
			out = append(out, m)
		}
		writeJSON(w, http.StatusOK, map[string]any{k.path: out})
	}
}

func (s *Server) adminSegGet(k segKind) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, u *store.User) {
		key, ok := s.segKey(w, r, k)
		if !ok {
			return
		}
		now := s.core.SegmentOf(k.kind, key)
		if now.Operator == "" && now.Loaded == "" {
			writeError(w, http.StatusNotFound, "not_found", k.field+" "+key+" is not in the table")
			return
		}
		writeJSON(w, http.StatusOK, k.json(key, now))
	}
}

// adminSegPut sets a prefix's or a number's operator: body {"operator": "cucc"}.
func (s *Server) adminSegPut(k segKind) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, u *store.User) {
		key, ok := s.segKey(w, r, k)
		if !ok {
			return
		}
		var req struct {
			Operator string `json:"operator"`
		}
		if err := decodeStrict(r, &req); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
			return
		}
		if req.Operator == "" {
			writeError(w, http.StatusBadRequest, "invalid_operator", "operator is required (cmcc, cucc, ctcc, cbn, intl); DELETE removes a "+k.field)
			return
		}
		s.segChange(w, r, u, k, key, req.Operator)
	}
}

// adminSegDelete takes a prefix or a number out of the table (an edit
// removing it from the file's, or the edit that added it dropped).
func (s *Server) adminSegDelete(k segKind) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, u *store.User) {
		if key, ok := s.segKey(w, r, k); ok {
			s.segChange(w, r, u, k, key, "")
		}
	}
}

func (s *Server) segChange(w http.ResponseWriter, r *http.Request, u *store.User, k segKind, key, op string) {
	was := s.core.SegmentOf(k.kind, key)
	action := "update"
	switch {
	case op == "":
		action = "delete"
	case was.Operator == "":
		action = "create"
	}
	var before any
	if was.Operator != "" {
		before = map[string]any{k.field: key, "operator": was.Operator}
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: action, Object: k.object, ObjectID: key}, before,
		func(*store.AuditEntry) any {
			if op == "" {
				return nil
			}
			return map[string]any{k.field: key, "operator": op}
		})
	changed, err := s.core.EditSegment(ctx, k.kind, key, op, u.Username)
	if err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) {
			s.log.Error("segment edit", "kind", k.kind, "key", key, "err", err)
		}
		s.writeErr(w, r, err)
		return
	}
	s.log.Info("segment edit", "kind", k.kind, "key", key, "operator", op, "changed", changed, "user", u.Username)
	if op == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := k.json(key, s.core.SegmentOf(k.kind, key))
	out["changed"] = changed
	writeJSON(w, http.StatusOK, out)
}
