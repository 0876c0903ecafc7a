package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"hongyan/internal/app"
	"hongyan/internal/sim"
)

// demoHistoryDays of past traffic the demo writes on its first start.
const demoHistoryDays = 30

func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addr := fs.String("http", "127.0.0.1:8080", "HTTP listen address")
	data := fs.String("data", "./hongyan-data", "data directory (SQLite database)")
	level := fs.String("log", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(*level, "text")
	sb, err := app.NewSandbox(ctx, app.SandboxOptions{
		DataDir: *data, HTTP: *addr, Logger: log, DemoMO: true,
		Sim: sim.Config{Latency: 2 * time.Millisecond, ReportDelay: 300 * time.Millisecond},
	})
	if err != nil {
		return err
	}
	if err := sb.SeedProvince(ctx); err != nil { // organisations and one user per role (A1)
		return err
	}
	if err := sb.SeedTemplates(ctx); err != nil { // an approved signature and template for the province
		return err
	}
	if err := sb.SeedAddressBook(ctx); err != nil { // a shared group for the city, replies in the inbox
		return err
	}
	start := time.Now()
	past, err := sb.SeedHistory(ctx, demoHistoryDays) // reports are not empty on the first visit
	if err != nil {
		return err
	}
	if past > 0 {
		log.Info("demo: wrote past traffic", "messages", past, "days", demoHistoryDays, "took", time.Since(start).Round(time.Millisecond))
	}
	if err := sb.Start(ctx); err != nil {
		return err
	}
	base := "http://" + sb.Addr()
	w := os.Stdout
	fmt.Fprintf(w, "\n鸿雁 Hongyan demo is running (SQLite in %s, simulated operators: 中国移动 CMPP 3.0, 联通 SGIP 1.2, 电信 SMGP 3.0, 广电 and international SMPP 3.4).\n\n", *data)
	fmt.Fprintf(w, "  URL:     %s\n", base)
	fmt.Fprintf(w, "  API key: %s\n", sb.APIKey)
	fmt.Fprintf(w, "  Admin token: %s\n", sb.AdminToken)
	fmt.Fprintf(w, "  Admin: %s / %s\n", sb.AdminUser, sb.AdminPassword)
	fmt.Fprintf(w, "  Legacy:  user=%s pwd=%s (GET /sms/send)\n", app.SandboxAccount, sb.Password)
	printDemoUsers(w, sb)
	fmt.Fprintf(w, "\nSend an SMS:\n  curl -s -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n    -d '{\"to\":[\"13800138000\"],\"content\":\"您的邮件已到达，请凭取件码 1234 领取。\"}' %s/api/v1/messages\n", sb.APIKey, base)
	fmt.Fprintf(w, "From a template:  curl -s -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n    -d '{\"template\":\"%s\",\"recipients\":[{\"to\":\"13800138000\",\"variables\":{\"name\":\"张三\",\"place\":\"邮政营业厅\",\"code\":\"1234\"}}]}' %s/api/v1/messages\n", sb.APIKey, app.DemoTemplate, base)
	fmt.Fprintf(w, "Look it up:  curl -s -H 'Authorization: Bearer %s' %s/api/v1/messages/ID?trace=1\n", sb.APIKey, base)
	fmt.Fprintf(w, "Reply as the phone:  curl -s -d '{\"from\":\"13800138000\",\"to\":\"10658000\",\"content\":\"收到\"}' %s/demo/mo\n", base)
	fmt.Fprintf(w, "Inbox:       curl -s -H 'Authorization: Bearer %s' %s/api/v1/mo\n\nPress Ctrl+C to stop.\n", sb.APIKey, base)
	<-ctx.Done()
	fmt.Fprintln(w, "\nstopping…")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return sb.Stop(sctx)
}

// printDemoUsers lists the seeded organisation users, after the lines the
// checks parse (which keep their exact form).
func printDemoUsers(w io.Writer, sb *app.Sandbox) {
	fmt.Fprintf(w, "  Organisation users (console login, or POST /api/v1/admin/login; the sending account %q is under %s 省公司):\n",
		app.SandboxAccount, app.DemoProvince)
	for _, u := range sb.Users {
		acct := ""
		if u.Account != "" {
			acct = ", account " + u.Account
		}
		fmt.Fprintf(w, "    %-12s / %-13s %-10s %s (%s)%s\n", u.Username, u.Password, u.Role, u.Org.Name, u.Org.Code, acct)
	}
}
