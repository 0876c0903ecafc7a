package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"
)

// Logging in from the command line: `hongyan admin login` trades a
// username and password for an expiring token (POST /api/v1/admin/login)
// and keeps it, readable by the user alone, for the next commands, so an
// administrator types no token and leaves none in the shell history.

// savedLogin is what login keeps between commands.
type savedLogin struct {
	Server    string    `json:"server"`
	Token     string    `json:"token"`
	Username  string    `json:"username"`
	ExpiresAt time.Time `json:"expires_at"`
}

// adminStdin is where login reads a password that does not come from a
// terminal (tests and scripts: `echo "$PW" | hongyan admin login …`).
var adminStdin io.Reader = os.Stdin

// credentialsPath is the file login writes: $HONGYAN_CONFIG_DIR/token.json,
// or token.json in the user's configuration directory (~/.config/hongyan).
func credentialsPath() (string, error) {
	if d := os.Getenv("HONGYAN_CONFIG_DIR"); d != "" {
		return filepath.Join(d, "token.json"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("where to keep the login: %w (set HONGYAN_CONFIG_DIR)", err)
	}
	return filepath.Join(d, "hongyan", "token.json"), nil
}

// loadLogin reads the saved login; nil when there is none.
func loadLogin() (*savedLogin, error) {
	p, err := credentialsPath()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("saved login: %w", err)
	}
	var l savedLogin
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("saved login %s is damaged (%v): run hongyan admin login again", p, err)
	}
	return &l, nil
}

// useSavedLogin fills in the server and token from the saved login when
// neither flag nor environment gave a token. A login saved for another
// server is not used: its token means nothing there.
func (c *adminClient) useSavedLogin() error {
	if c.token != "" {
		return nil
	}
	l, err := loadLogin()
	if err != nil || l == nil {
		return err
	}
	if c.server == "" {
		c.server = l.Server
	}
	if c.server != l.Server {
		return nil
	}
	if !l.ExpiresAt.IsZero() && time.Now().After(l.ExpiresAt) {
		return fmt.Errorf("the login of %s at %s expired at %s: run hongyan admin login again",
			l.Username, l.Server, l.ExpiresAt.Local().Format("2006-01-02 15:04"))
	}
	c.token = l.Token
	return nil
}

// login: hongyan admin login [--user NAME] [--print].
func (c *adminClient) login(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("admin login", flag.ContinueOnError)
	user := flags.String("user", os.Getenv("HONGYAN_USER"), "username (asked for when not given)")
	printOnly := flags.Bool("print", false, "print the token instead of saving it (export HONGYAN_TOKEN=$(hongyan admin login --print …))")
	if _, err := parseMixed(flags, args); err != nil {
		return err
	}
	in := bufio.NewReader(adminStdin)
	if *user == "" {
		fmt.Fprint(os.Stderr, "Username: ")
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no username given (--user NAME)")
		}
		*user = strings.TrimSpace(line)
	}
	pw, err := readPassword(in)
	if err != nil {
		return err
	}
	var ans struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		User      struct {
			Username, Role string
		} `json:"user"`
	}
	c.token = ""
	quiet := c.json
	c.json = false // the answer carries the token: never echo it
	err = c.call(ctx, "POST", "/api/v1/admin/login", map[string]string{"username": *user, "password": pw}, &ans)
	c.json = quiet
	if err != nil {
		return fmt.Errorf("login as %s at %s: %w", *user, c.server, err)
	}
	if *printOnly {
		fmt.Fprintln(c.out, ans.Token)
		return nil
	}
	p, err := credentialsPath()
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(savedLogin{Server: c.server, Token: ans.Token, Username: ans.User.Username, ExpiresAt: ans.ExpiresAt}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("save login: %w", err)
	}
	// Written aside and renamed: a crash never leaves half a file, and the
	// file is the user's alone from its first byte.
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save login: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("save login: %w", err)
	}
	c.say("logged in as %s (%s) at %s until %s; the token is kept in %s",
		ans.User.Username, ans.User.Role, c.server, ans.ExpiresAt.Local().Format("2006-01-02 15:04"), p)
	return nil
}

// readPassword reads the password without echo from a terminal, or as a
// line from a pipe.
func readPassword(in *bufio.Reader) (string, error) {
	if f, ok := adminStdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(os.Stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// logout: hongyan admin logout [--all] revokes the token on the server and
// forgets the saved login.
func (c *adminClient) logout(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("admin logout", flag.ContinueOnError)
	all := flags.Bool("all", false, "revoke every token of this user (every machine), not only this one")
	if _, err := parseMixed(flags, args); err != nil {
		return err
	}
	path := "/api/v1/admin/logout"
	if *all {
		path += "?all=true"
	}
	var ans struct {
		Revoked int `json:"revoked"`
	}
	err := c.call(ctx, "POST", path, nil, &ans)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == 401 {
		err = nil // revoked or expired already: forgetting it is all that is left
	}
	if err != nil {
		return err
	}
	if l, _ := loadLogin(); l != nil && l.Token == c.token {
		p, _ := credentialsPath()
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("forget the saved login: %w", err)
		}
	}
	c.say("logged out (%d token(s) revoked)", ans.Revoked)
	return nil
}

// whoami prints who the token belongs to.
func (c *adminClient) whoami(ctx context.Context) error {
	var me map[string]any
	if err := c.call(ctx, "GET", "/api/v1/admin/me", nil, &me); err != nil {
		return err
	}
	c.say("%s (%s) at %s", str(me["username"]), str(me["role"]), c.server)
	return nil
}
