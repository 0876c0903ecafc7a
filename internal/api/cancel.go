package api

import (
	"errors"
	"net/http"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// cancelBatch is POST /api/v1/batches/{id}/cancel: the batch's messages
// not yet handed to a gateway (a scheduled send before its time, or the
// part of a large batch still waiting) become cancelled and cost nothing.
func (s *Server) cancelBatch(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	res, err := s.core.CancelBatch(r.Context(), acc.ID, n, "cancelled through the API")
	var ce *core.Error
	if errors.As(err, &ce) && ce.Code == "not_cancellable" && res != nil {
		writeJSON(w, ce.Status, map[string]any{"error": map[string]string{"code": ce.Code, "message": ce.Message},
			"batch_id": id(res.BatchID), "cancelled": 0, "pending": res.Pending, "total": res.Total})
		return
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.log.Info("api: batch cancelled", "account", acc.Name, "batch", n, "cancelled", res.Cancelled)
	writeJSON(w, http.StatusOK, map[string]any{"batch_id": id(res.BatchID), "cancelled": res.Cancelled,
		"pending": res.Pending, "total": res.Total})
}
