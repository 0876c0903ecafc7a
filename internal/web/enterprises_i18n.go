package web

// The words of the enterprise-customer pages (enterprises.go), kept here
// beside them and added to the catalogue at start.
func init() {
	add := func(lang string, kv map[string]string) {
		for k, v := range kv {
			catalogue[lang][k] = v
		}
	}
	add("zh", map[string]string{
		"nav.enterprises":       "企业客户",
		"nav.enterprises_edit":  "企业客户",
		"home.enterprises.desc": "各单位的企业客户及其发送账户，按客户统计报表",
		"ent.title":             "企业客户",
		"ent.lead":              "本单位及下级单位的企业客户。关联发送账户后，客户页按这些账户的统计给出报表。",
		"ent.ok.created":        "企业客户已添加。",
		"ent.ok.saved":          "企业客户已保存。",
		"ent.ok.deleted":        "企业客户已删除。",
		"ent.find":              "名称、联系人或电话",
		"ent.name":              "企业名称",
		"ent.contact":           "联系人",
		"ent.phone":             "电话",
		"ent.address":           "地址",
		"ent.note":              "备注",
		"ent.accounts":          "发送账户",
		"ent.accounts_hint":     "按住 Ctrl（Mac 上 ⌘）可多选；只列出您权限范围内的账户。",
		"ent.empty":             "没有企业客户。",
		"ent.add":               "添加企业客户",
		"ent.edit":              "修改资料",
		"ent.save":              "保存",
		"ent.back":              "返回企业客户列表",
		"ent.report":            "客户报表：%s（%s）",
		"ent.no_accounts":       "此客户没有关联（您能看到的）发送账户，报表为空。",
		"ent.custom":            "按日期查询",
		"ent.from":              "从",
		"ent.to":                "到",
		"ent.query":             "查询",
		"ent.confirm_delete":    "确定删除企业客户 %s？（其发送账户和统计不受影响）",
		"ent.err.name":          "请填写企业名称（200 字节以内）。",
		"ent.err.dup":           "本单位已有同名企业客户。",
		"ent.err.account":       "所选账户不在您的权限范围内。",
	})
	add("en", map[string]string{
		"nav.enterprises":       "Enterprises",
		"nav.enterprises_edit":  "Enterprises",
		"home.enterprises.desc": "Enterprise customers of each unit with their sending accounts; reports by customer",
		"ent.title":             "Enterprise customers",
		"ent.lead":              "Enterprise customers of your unit and those below it. Link sending accounts and the customer's page reports their statistics.",
		"ent.ok.created":        "Enterprise customer added.",
		"ent.ok.saved":          "Enterprise customer saved.",
		"ent.ok.deleted":        "Enterprise customer deleted.",
		"ent.find":              "Name, contact or phone",
		"ent.name":              "Company name",
		"ent.contact":           "Contact person",
		"ent.phone":             "Phone",
		"ent.address":           "Address",
		"ent.note":              "Notes",
		"ent.accounts":          "Sending accounts",
		"ent.accounts_hint":     "Hold Ctrl (⌘ on a Mac) to choose several; only the accounts in your scope are listed.",
		"ent.empty":             "No enterprise customers.",
		"ent.add":               "Add an enterprise customer",
		"ent.edit":              "Edit",
		"ent.save":              "Save",
		"ent.back":              "Back to the enterprise customers",
		"ent.report":            "Customer report: %s (%s)",
		"ent.no_accounts":       "This customer has no sending accounts (that you can see): the report is empty.",
		"ent.custom":            "By dates",
		"ent.from":              "From",
		"ent.to":                "to",
		"ent.query":             "Show",
		"ent.confirm_delete":    "Delete the enterprise customer %s? (Its accounts and statistics stay.)",
		"ent.err.name":          "Enter the company name (at most 200 bytes).",
		"ent.err.dup":           "Your unit already has an enterprise customer of this name.",
		"ent.err.account":       "A chosen account is outside your scope.",
	})
}
