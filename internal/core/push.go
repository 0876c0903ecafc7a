package core

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"hongyan/internal/store"
)

// Sign is the push signature: hex HMAC-SHA256 over "timestamp.body" with the
// account's secret, sent as X-Hongyan-Signature: sha256=<hex> beside
// X-Hongyan-Timestamp. Including the timestamp lets receivers refuse replays.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func (c *Core) queuePushes(ctx context.Context, ps []*store.Push) {
	if err := c.st.InsertPushes(ctx, ps); err != nil {
		c.log.Error("queue pushes", "kind", ps[0].Kind, "ref", ps[0].RefID, "n", len(ps), "err", err)
		return
	}
	select {
	case c.pushWake <- struct{}{}:
	default:
	}
}

// pushLoop delivers due pushes. Pushes live in the database, so a restart
// resumes them; every attempt is recorded.
func (c *Core) pushLoop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-c.pushWake:
		}
		for {
			ps, err := c.st.DuePushes(ctx, c.now(), 64)
			if err != nil {
				if ctx.Err() == nil {
					c.log.Error("read due pushes", "err", err)
				}
				break
			}
			if len(ps) == 0 {
				break
			}
			var wg sync.WaitGroup
			sem := make(chan struct{}, 16)
			for _, p := range ps {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() { <-sem; wg.Done() }()
					c.pushOnce(ctx, p)
				}()
			}
			wg.Wait()
			if len(ps) < 64 || ctx.Err() != nil {
				break
			}
		}
	}
}

func (c *Core) pushOnce(ctx context.Context, p *store.Push) {
	acc := c.caches.account(p.AccountID)
	secret := ""
	if acc != nil {
		secret = acc.Secret
	}
	start := time.Now()
	ts := start.Unix()
	status, err := c.post(ctx, p, secret, ts)
	a := store.PushAttempt{PushID: p.ID, At: start, HTTPStatus: status, Duration: time.Since(start)}
	p.Attempts++
	if err == nil && status >= 200 && status < 300 {
		p.Done = true
		p.LastError = ""
		c.m.pushes.WithLabelValues("ok").Inc()
	} else {
		if err == nil {
			err = fmt.Errorf("HTTP %d", status)
		}
		a.Error = err.Error()
		p.LastError = err.Error()
		c.m.pushes.WithLabelValues("error").Inc()
		if p.Attempts >= c.cfg.PushMaxAttempts {
			p.Done = true // given up; the attempts stay on record
			p.LastError = "gave up after " + strconv.Itoa(p.Attempts) + " attempts: " + err.Error()
		} else {
			back := time.Second << min(p.Attempts-1, 12)
			p.NextAt = c.now().Add(min(back, time.Hour))
		}
	}
	if err := c.st.RecordPushAttempt(context.WithoutCancel(ctx), p, a); err != nil {
		c.log.Error("record push attempt", "push", p.ID, "err", err)
	}
}

func (c *Core) post(ctx context.Context, p *store.Push, secret string, ts int64) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.PushTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return 0, fmt.Errorf("bad receive URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Hongyan-Push/1")
	req.Header.Set("X-Hongyan-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Hongyan-Signature", "sha256="+Sign(secret, ts, p.Body))
	req.Header.Set("X-Hongyan-Push-Id", strconv.FormatInt(p.ID, 10))
	req.Header.Set("X-Hongyan-Kind", p.Kind)
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
