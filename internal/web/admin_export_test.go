package web

// AdminRoleMismatches compares the administration pages' roles with the
// admin API's role table, for TestAdminPagesFollowAPIRoles.
var AdminRoleMismatches = adminRoleMismatches

// CatalogueWords lists a language's words, for TestEveryMenuPageRenders.
func CatalogueWords(lang string) []string {
	var out []string
	for _, v := range catalogue[lang] {
		out = append(out, v)
	}
	return out
}
