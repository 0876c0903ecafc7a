package web

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Languages the console speaks; the first is the default (DESIGN.md: Chinese by default).
var languages = []string{"zh", "en"}

const langCookie = "hy_lang"

// catalogue holds every string a user sees, per language. Templates and
// handlers look keys up here, so a translation is one edit in one file.
var catalogue = map[string]map[string]string{
	"zh": {
		"app.name":    "鸿雁短信平台",
		"app.tagline": "省邮政短信服务平台",
		"lang.zh":     "中文",
		"lang.en":     "English",
		"lang.switch": "语言",

		"login.title":         "登录",
		"login.heading":       "登录控制台",
		"login.username":      "用户名",
		"login.password":      "密码",
		"login.submit":        "登录",
		"login.failed":        "用户名或密码错误，请重新输入。",
		"login.locked":        "登录失败次数过多，该用户已被临时锁定，请 %d 分钟后再试。",
		"login.stale":         "登录页面已过期，请重新输入用户名和密码。",
		"login.expired":       "会话已超时，请重新登录。",
		"login.bye":           "您已安全退出。",
		"login.busy":          "服务器繁忙，请稍后再试。",
		"top.user":            "当前用户",
		"top.logout":          "退出",
		"role.platform_admin": "平台管理员",

		"nav.label":    "主菜单",
		"nav.home":     "首页",
		"nav.send":     "发送",
		"nav.reports":  "报表",
		"nav.gateways": "网关",

		"home.title":         "首页",
		"home.welcome":       "欢迎，%s",
		"home.intro":         "请选择要进行的工作。",
		"home.send.desc":     "单条、群发、定时与文件导入发送。",
		"home.reports.desc":  "发送量、成功率与费用统计，支持导出。",
		"home.gateways.desc": "各运营商网关的连接、窗口、流量与错误，实时刷新。",
		"home.none":          "您的角色暂无可用的功能，请联系平台管理员。",

		"coming.badge": "即将上线",
		"coming.body":  "此功能正在建设中，将在后续版本提供。在此之前，业务系统可通过 HTTP 接口发送短信和查询结果（见 docs/api.md）。",

		"gw.title":      "网关状态",
		"gw.name":       "名称",
		"gw.operator":   "运营商",
		"gw.protocol":   "协议",
		"gw.state":      "状态",
		"gw.sessions":   "连接",
		"gw.window":     "窗口（在途/上限）",
		"gw.tps":        "TPS（当前/上限）",
		"gw.sent":       "已发送",
		"gw.timeouts":   "超时",
		"gw.last_error": "最近错误",
		"gw.healthy":    "正常",
		"gw.down":       "中断",
		"gw.demoted":    "降级",
		"gw.unlimited":  "不限",
		"gw.none":       "尚未配置网关。",
		"gw.updated":    "更新于",
		"gw.refresh":    "每 %d 秒自动刷新",
		"gw.stale":      "刷新失败，显示的是上次的数据",
		"gw.summary":    "共 %d 个网关，%d 个正常",

		"op.cmcc": "中国移动",
		"op.cucc": "中国联通",
		"op.ctcc": "中国电信",
		"op.cbn":  "中国广电",
		"op.intl": "国际",

		"err.title":        "出错了",
		"err.forbidden":    "您的角色无权打开此页面。",
		"err.notfound":     "页面不存在。",
		"err.csrf":         "页面已过期或请求无效，请刷新页面后重试。",
		"err.internal":     "服务器内部错误，请稍后再试。",
		"err.back":         "返回首页",
		"err.unauthorized": "请先登录。",
		"err.bad_request":  "请求无效。",
	},
	"en": {
		"app.name":    "Hongyan SMS Platform",
		"app.tagline": "Provincial postal SMS service platform",
		"lang.zh":     "中文",
		"lang.en":     "English",
		"lang.switch": "Language",

		"login.title":         "Sign in",
		"login.heading":       "Sign in to the console",
		"login.username":      "Username",
		"login.password":      "Password",
		"login.submit":        "Sign in",
		"login.failed":        "Wrong username or password. Please try again.",
		"login.locked":        "Too many failed sign-ins: this user is locked for now. Try again in %d minutes.",
		"login.stale":         "The sign-in page expired. Please enter your username and password again.",
		"login.expired":       "Your session timed out. Please sign in again.",
		"login.bye":           "You have signed out.",
		"login.busy":          "The server is busy. Please try again shortly.",
		"top.user":            "Signed in as",
		"top.logout":          "Sign out",
		"role.platform_admin": "Platform administrator",

		"nav.label":    "Main menu",
		"nav.home":     "Home",
		"nav.send":     "Send",
		"nav.reports":  "Reports",
		"nav.gateways": "Gateways",

		"home.title":         "Home",
		"home.welcome":       "Welcome, %s",
		"home.intro":         "Choose what to work on.",
		"home.send.desc":     "Single, group, scheduled and file-import sends.",
		"home.reports.desc":  "Volumes, success rates and fees, with exports.",
		"home.gateways.desc": "Connections, windows, traffic and errors of every operator gateway, live.",
		"home.none":          "Your role has no console pages yet. Ask a platform administrator.",

		"coming.badge": "Coming soon",
		"coming.body":  "This page is being built and comes in a later release. Until then, business systems send and look up messages through the HTTP API (see docs/api.md).",

		"gw.title":      "Gateway status",
		"gw.name":       "Name",
		"gw.operator":   "Operator",
		"gw.protocol":   "Protocol",
		"gw.state":      "State",
		"gw.sessions":   "Sessions",
		"gw.window":     "Window (in flight/size)",
		"gw.tps":        "TPS (now/limit)",
		"gw.sent":       "Sent",
		"gw.timeouts":   "Timeouts",
		"gw.last_error": "Last error",
		"gw.healthy":    "Up",
		"gw.down":       "Down",
		"gw.demoted":    "Demoted",
		"gw.unlimited":  "no limit",
		"gw.none":       "No gateway is configured.",
		"gw.updated":    "Updated",
		"gw.refresh":    "refreshes every %d s",
		"gw.stale":      "Refresh failed; showing the last data",
		"gw.summary":    "%d gateways, %d up",

		"op.cmcc": "China Mobile",
		"op.cucc": "China Unicom",
		"op.ctcc": "China Telecom",
		"op.cbn":  "China Broadnet",
		"op.intl": "International",

		"err.title":        "Something went wrong",
		"err.forbidden":    "Your role may not open this page.",
		"err.notfound":     "No such page.",
		"err.csrf":         "The page expired or the request was not valid. Reload the page and try again.",
		"err.internal":     "Internal server error. Please try again later.",
		"err.back":         "Back to home",
		"err.unauthorized": "Please sign in first.",
		"err.bad_request":  "The request was not valid.",
	},
}

// msgs is one language's view of the catalogue.
type msgs map[string]string

// T returns the string for key; a missing key shows itself, bracketed, so
// it is noticed (the tests check both languages have every key).
func (m msgs) T(key string) string {
	if s, ok := m[key]; ok {
		return s
	}
	return "[" + key + "]"
}

// Tf formats the string for key with args.
func (m msgs) Tf(key string, args ...any) string { return fmt.Sprintf(m.T(key), args...) }

// langOf is the language the request asked for with the cookie, or the default.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && validLang(c.Value) {
		return c.Value
	}
	return languages[0]
}

func validLang(l string) bool {
	_, ok := catalogue[l]
	return ok
}

// switchLang handles ?lang=xx on a GET: remember it in a cookie and reload
// the same URL without the parameter. It reports whether it answered.
func switchLang(w http.ResponseWriter, r *http.Request, secure bool) bool {
	if r.Method != http.MethodGet || !r.URL.Query().Has("lang") {
		return false
	}
	q := r.URL.Query()
	if l := q.Get("lang"); validLang(l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	}
	q.Del("lang")
	u := url.URL{Path: localPath(r.URL.Path), RawQuery: q.Encode()}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return true
}

// localPath makes p safe to redirect to: a clean path on this server,
// never "//host" or "/\\host", which browsers read as another site.
func localPath(p string) string {
	p = path.Clean("/" + p)
	if strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return "/"
	}
	return p
}
