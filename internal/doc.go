// Package internal holds Hongyan's packages; see ../../shared/DESIGN.md for the layout.
package internal
