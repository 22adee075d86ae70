/*-------------------------------------------------------------------------
 *
 * trust.c
 *	  Whether reading a registered source runs only code its reader trusts
 *	  (journey_internal.untrusted_code).
 *
 * Reading a view runs the functions, operators and casts of its definition
 * as the role that reads it, whoever chose them; reading a table runs its
 * row-level security policies, and planning a read of it evaluates the
 * constant parts of its index expressions and predicates, extended
 * statistics and CHECK constraints, all as the reader.  journey reads the
 * registered sources on behalf of whoever reads its views, so a role that
 * may register a source could otherwise have its own code run by every
 * reader, a superuser included.  Before a source is read, this walk looks
 * for the first piece of code the read would run that its reader does not
 * trust.
 *
 * The rule: code chosen by role O is trusted by reader R when O has R's
 * privileges (has_privs_of_role(O, R): O is R, O is a superuser, or O is a
 * member of R), since whatever that code does, O could do already; and
 * code built into PostgreSQL is trusted.  Membership of an extension is
 * not a sign of trust (an extension's owner may add objects of its own to
 * it); objects installed by an extension script belong to the superuser
 * that ran it, which the ownership rule already trusts.
 *
 * What the read of a relation runs, and so what the walk visits:
 *	- every relation the read involves (the source's relation, what its
 *	  views read at any depth, inheritance children and partitions): its
 *	  owner chose its definition, indexes, statistics, constraints,
 *	  policies, children and (for a foreign table) the options that decide
 *	  what its wrapper runs with the reader's user mapping, and must be
 *	  trusted.  Requiring the owner, rather than walking those, also keeps
 *	  an owner from adding an index or a child between the check and the
 *	  read: a lock that would hold that back would serialise the readers;
 *	- a view: every object its _RETURN rule depends on (pg_depend):
 *	  functions (an aggregate with its support functions), operators'
 *	  functions, types, and relations, walked in turn;
 *	- the access method handler of a table or materialized view, and the
 *	  handler of a foreign table's wrapper;
 *	- a type: the functions it runs (a base type's I/O functions, a
 *	  domain's constraints where a value is coerced into the domain, an
 *	  array's element type, a composite type's attributes, a range's
 *	  subtype and functions), for every column of the relations a view
 *	  reads and every type its rule names;
 *	- each column the caller reads: its type as above, and since the
 *	  read casts it, the owner of a type that is not built in (after
 *	  domains, whose casts PostgreSQL ignores), who chooses its casts.
 *
 * Every relation is locked (AccessShareLock, to the end of the
 * transaction) before its definition is read, and the catalogs are read
 * with a fresh catalog snapshot, so the definition checked is the one the
 * read then runs: replacing a view or changing a relation's owner needs a
 * lock that conflicts, and everything else that could change what the read
 * runs can only be changed by the trusted owners.
 *
 *-------------------------------------------------------------------------
 */
#include "journey.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_range.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_type.h"
#include "foreign/foreign.h"
#include "rewrite/prs2lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(journey_untrusted_code);

typedef struct TrustWalk
{
	Oid			reader;			/* the role the read runs as */
	List	   *relations;		/* relations walked already */
	char	   *problem;		/* the first untrusted code, described */
} TrustWalk;

static bool TrustRelation(TrustWalk *walk, Oid relid, bool every_column,
						  const char *where);
static bool TrustType(TrustWalk *walk, Oid typid, bool coerced,
					  const char *where);
static bool TrustFunctions(TrustWalk *walk, const Oid *funcs, int n,
						   const char *where);

/*
 * Record that "what" (chosen by role "owner", found "where") is not
 * trusted; returns false for the callers to pass on.
 */
static bool
Untrusted(TrustWalk *walk, const char *what, Oid owner, const char *where)
{
	walk->problem = psprintf("Reading it would run %s%s%s, chosen by role \"%s\", which does not have the privileges of role \"%s\".",
							 what, where ? " " : "", where ? where : "",
							 GetUserNameFromId(owner, false),
							 GetUserNameFromId(walk->reader, false));
	return false;
}

static bool
Trusted(TrustWalk *walk, Oid owner)
{
	return has_privs_of_role(owner, walk->reader);
}

static bool
TrustFunction(TrustWalk *walk, Oid funcid, const char *where)
{
	HeapTuple	tuple;
	Oid			owner;
	char		kind;

	if (!OidIsValid(funcid) || funcid < FirstNormalObjectId)
		return true;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tuple))
		return true;			/* dropped: it cannot run */
	owner = ((Form_pg_proc) GETSTRUCT(tuple))->proowner;
	kind = ((Form_pg_proc) GETSTRUCT(tuple))->prokind;
	ReleaseSysCache(tuple);
	if (!Trusted(walk, owner))
		return Untrusted(walk, getObjectDescriptionOids(ProcedureRelationId, funcid),
						 owner, where);

	if (kind == PROKIND_AGGREGATE)
	{
		Form_pg_aggregate agg;
		Oid			support[8];
		char	   *of;

		tuple = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(funcid));
		if (!HeapTupleIsValid(tuple))
			return true;
		agg = (Form_pg_aggregate) GETSTRUCT(tuple);
		support[0] = agg->aggtransfn;
		support[1] = agg->aggfinalfn;
		support[2] = agg->aggcombinefn;
		support[3] = agg->aggserialfn;
		support[4] = agg->aggdeserialfn;
		support[5] = agg->aggmtransfn;
		support[6] = agg->aggminvtransfn;
		support[7] = agg->aggmfinalfn;
		ReleaseSysCache(tuple);
		of = psprintf("(a support function of %s)",
					  getObjectDescriptionOids(ProcedureRelationId, funcid));
		return TrustFunctions(walk, support, lengthof(support), of);
	}
	return true;
}

/* Every valid function of funcs[0 .. n - 1], found "where". */
static bool
TrustFunctions(TrustWalk *walk, const Oid *funcs, int n, const char *where)
{
	for (int i = 0; i < n; i++)
		if (!TrustFunction(walk, funcs[i], where))
			return false;
	return true;
}

static bool
TrustOperator(TrustWalk *walk, Oid oprid, const char *where)
{
	HeapTuple	tuple;
	Form_pg_operator opr;
	Oid			funcs[3];
	char	   *of;

	if (oprid < FirstNormalObjectId)
		return true;
	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(oprid));
	if (!HeapTupleIsValid(tuple))
		return true;
	opr = (Form_pg_operator) GETSTRUCT(tuple);
	funcs[0] = opr->oprcode;
	funcs[1] = opr->oprrest;
	funcs[2] = opr->oprjoin;
	ReleaseSysCache(tuple);
	of = psprintf("(for %s%s%s)", getObjectDescriptionOids(OperatorRelationId, oprid),
				  where ? " " : "", where ? where : "");
	return TrustFunctions(walk, funcs, lengthof(funcs), of);
}

/* The types of every column of a row type or relation. */
static bool
TrustColumnTypes(TrustWalk *walk, TupleDesc desc, const char *where)
{
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped &&
			!TrustType(walk, TupleDescAttr(desc, i)->atttypid, false, where))
			return false;
	return true;
}

/*
 * The code a value of type typid runs.  "coerced": a value may be coerced
 * into the type here, which runs a domain's constraints.
 */
static bool
TrustType(TrustWalk *walk, Oid typid, bool coerced, const char *where)
{
	HeapTuple	tuple;
	FormData_pg_type typ;
	char	   *of;

	check_stack_depth();
	if (!OidIsValid(typid) || typid < FirstNormalObjectId)
		return true;
	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		return true;
	typ = *(Form_pg_type) GETSTRUCT(tuple);
	ReleaseSysCache(tuple);
	of = psprintf("(for %s%s%s)", format_type_be_qualified(typid),
				  where ? " " : "", where ? where : "");

	if (typ.typtype == TYPTYPE_DOMAIN)
	{
		if (coerced && !Trusted(walk, typ.typowner) && DomainHasConstraints(typid))
			return Untrusted(walk, psprintf("the constraints of domain %s",
											format_type_be_qualified(typid)),
							 typ.typowner, where);
		return TrustType(walk, typ.typbasetype, coerced, where);
	}
	if (IsTrueArrayType(&typ))
		return TrustType(walk, typ.typelem, coerced, where);
	if (typ.typtype == TYPTYPE_COMPOSITE)
		return TrustColumnTypes(walk, lookup_rowtype_tupdesc_copy(typid, -1), of);
	if (typ.typtype == TYPTYPE_RANGE)
	{
		Oid			funcs[2];
		Oid			subtype;

		tuple = SearchSysCache1(RANGETYPE, ObjectIdGetDatum(typid));
		if (!HeapTupleIsValid(tuple))
			return true;
		subtype = ((Form_pg_range) GETSTRUCT(tuple))->rngsubtype;
		funcs[0] = ((Form_pg_range) GETSTRUCT(tuple))->rngcanonical;
		funcs[1] = ((Form_pg_range) GETSTRUCT(tuple))->rngsubdiff;
		ReleaseSysCache(tuple);
		return TrustFunctions(walk, funcs, lengthof(funcs), of) &&
			TrustType(walk, subtype, false, of);
	}
	if (typ.typtype == TYPTYPE_MULTIRANGE)
		return TrustType(walk, get_multirange_range(typid), false, of);
	if (typ.typtype == TYPTYPE_BASE)
	{
		Oid			funcs[] = {typ.typinput, typ.typoutput, typ.typreceive,
			typ.typsend, typ.typmodin, typ.typmodout, typ.typanalyze,
		typ.typsubscript};

		return TrustFunctions(walk, funcs, lengthof(funcs), of);
	}
	/* enums (built-in I/O) and pseudo-types run no code of their own */
	return true;
}

/*
 * A column the caller reads and casts: its type, and the owner of the type
 * (after domains) when it is not built in, since that owner chooses the
 * casts from it.
 */
static bool
TrustReadColumn(TrustWalk *walk, Oid relid, const char *column)
{
	AttrNumber	attnum = get_attnum(relid, column);
	Oid			typid;
	Oid			base;
	char	   *where;

	if (attnum == InvalidAttrNumber)
		return true;			/* the caller checks that columns exist */
	typid = get_atttype(relid, attnum);
	where = psprintf("(the type of column %s of %s)", quote_identifier(column),
					 getObjectDescriptionOids(RelationRelationId, relid));
	base = getBaseType(typid);
	if (base >= FirstNormalObjectId)
	{
		HeapTuple	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(base));
		Oid			owner;

		if (!HeapTupleIsValid(tuple))
			return true;
		owner = ((Form_pg_type) GETSTRUCT(tuple))->typowner;
		ReleaseSysCache(tuple);
		if (!Trusted(walk, owner))
			return Untrusted(walk, psprintf("the casts of type %s",
											format_type_be_qualified(base)),
							 owner, where);
	}
	return TrustType(walk, typid, false, where);
}

/*
 * What reading a relation's storage runs: the handler of its access method
 * or of its foreign-data wrapper.
 */
static bool
TrustStorage(TrustWalk *walk, Relation rel, const char *where)
{
	Oid			relid = RelationGetRelid(rel);

	if (rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE)
	{
		ForeignTable *table = GetForeignTable(relid);
		ForeignServer *server = GetForeignServer(table->serverid);
		ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);

		return TrustFunction(walk, fdw->fdwhandler,
							 psprintf("(the handler of %s)",
									  getObjectDescriptionOids(RelationRelationId, relid)));
	}
	if (OidIsValid(rel->rd_rel->relam) && rel->rd_rel->relam >= FirstNormalObjectId)
	{
		HeapTuple	tuple = SearchSysCache1(AMOID, ObjectIdGetDatum(rel->rd_rel->relam));
		Oid			handler;

		if (!HeapTupleIsValid(tuple))
			return true;
		handler = ((Form_pg_am) GETSTRUCT(tuple))->amhandler;
		ReleaseSysCache(tuple);
		return TrustFunction(walk, handler,
							 psprintf("(the access method of %s)",
									  getObjectDescriptionOids(RelationRelationId, relid)));
	}
	return true;
}

/*
 * Every object rule ruleid (of view viewid) depends on.
 * The dependencies are collected first and walked after the scan, which
 * the walk of a nested view would otherwise nest.
 */
static bool
TrustRule(TrustWalk *walk, Oid ruleid, Oid viewid)
{
	Relation	depend;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *refs = NIL;
	ListCell   *lc;
	char	   *where = psprintf("in %s",
								 getObjectDescriptionOids(RelationRelationId, viewid));

	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RewriteRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(ruleid));
	scan = systable_beginscan(depend, DependDependerIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);
		ObjectAddress *ref;

		if (dep->deptype != DEPENDENCY_NORMAL)
			continue;
		ref = palloc(sizeof(ObjectAddress));
		ref->classId = dep->refclassid;
		ref->objectId = dep->refobjid;
		ref->objectSubId = dep->refobjsubid;
		refs = lappend(refs, ref);
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);

	foreach(lc, refs)
	{
		ObjectAddress *ref = lfirst(lc);
		bool		ok;

		CHECK_FOR_INTERRUPTS();
		switch (ref->classId)
		{
			case RelationRelationId:
				ok = ref->objectId == viewid ||
					TrustRelation(walk, ref->objectId, true, where);
				break;
			case ProcedureRelationId:
				ok = TrustFunction(walk, ref->objectId, where);
				break;
			case OperatorRelationId:
				ok = TrustOperator(walk, ref->objectId, where);
				break;
			case TypeRelationId:
				ok = TrustType(walk, ref->objectId, true, where);
				break;
			case CollationRelationId:
			case NamespaceRelationId:
			case ConstraintRelationId:
			case OperatorClassRelationId:
			case OperatorFamilyRelationId:
			case TSConfigRelationId:
			case TSDictionaryRelationId:

				/*
				 * No code of their owner's choosing: collations, schemas, the
				 * key a GROUP BY relies on; operator classes and families,
				 * and text search configurations and dictionaries, whose
				 * functions (and parsers and templates) only superusers can
				 * create.
				 */
				ok = true;
				break;
			default:
				walk->problem = psprintf("Reading it would run %s %s, which journey does not know how to check.",
										 getObjectDescription(ref, false), where);
				ok = false;
				break;
		}
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Whether its owner, who chose what a relation runs when it is read, is
 * trusted ("where": where the relation was found).
 */
static bool
TrustOwner(TrustWalk *walk, Relation rel, const char *where)
{
	char	   *desc;

	if (Trusted(walk, rel->rd_rel->relowner))
		return true;
	desc = getObjectDescriptionOids(RelationRelationId, RelationGetRelid(rel));
	if (rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE)
		desc = psprintf("%s (its options and constraints)", desc);
	else if (rel->rd_rel->relkind != RELKIND_VIEW)
		desc = psprintf("%s (its indexes, statistics, constraints and policies)", desc);
	return Untrusted(walk, desc, rel->rd_rel->relowner, where);
}

/*
 * What reading relation relid runs.  every_column: the types of all its
 * columns too (a view's dependencies do not tell a whole-row reference from
 * the mention of the relation, so every column may be output).
 */
static bool
TrustRelation(TrustWalk *walk, Oid relid, bool every_column, const char *where)
{
	Relation	rel;
	bool		ok;
	char	   *desc;

	if (list_member_oid(walk->relations, relid))
		return true;
	walk->relations = lappend_oid(walk->relations, relid);

	/* lock first, so that the definition read is the one that runs */
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
	{
		walk->problem = psprintf("The relation with OID %u no longer exists.", relid);
		return false;
	}
	desc = getObjectDescriptionOids(RelationRelationId, relid);

	ok = TrustOwner(walk, rel, where) && TrustStorage(walk, rel, where);

	if (ok && rel->rd_rel->relkind == RELKIND_VIEW)
	{
		for (int i = 0; ok && rel->rd_rules && i < rel->rd_rules->numLocks; i++)
			if (rel->rd_rules->rules[i]->event == CMD_SELECT)
				ok = TrustRule(walk, rel->rd_rules->rules[i]->ruleId, relid);
	}

	/* inheritance children and partitions are read too */
	if (ok && rel->rd_rel->relhassubclass)
	{
		List	   *children = find_all_inheritors(relid, AccessShareLock, NULL);
		ListCell   *lc;
		char	   *of = psprintf("(read through %s)", desc);

		foreach(lc, children)
		{
			Relation	child;

			CHECK_FOR_INTERRUPTS();
			if (lfirst_oid(lc) == relid)
				continue;
			child = try_relation_open(lfirst_oid(lc), NoLock);
			if (child == NULL)
				continue;
			ok = TrustOwner(walk, child, of) && TrustStorage(walk, child, of);
			relation_close(child, NoLock);
			if (!ok)
				break;
		}
	}

	if (ok && every_column && rel->rd_rel->relkind != RELKIND_VIEW)
		ok = TrustColumnTypes(walk, RelationGetDescr(rel),
							  psprintf("(a column type of %s%s%s)", desc,
									   where ? " " : "", where ? where : ""));
	relation_close(rel, NoLock);
	return ok;
}

/*
 * untrusted_code(relation regclass, columns text[]) returns text
 *
 * NULL when reading the named columns of the relation runs only code the
 * current role trusts; otherwise a sentence naming the first code that it
 * does not trust, who chose it and where it is.  The relation and every
 * relation it reads are locked for the rest of the transaction.
 */
Datum
journey_untrusted_code(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ArrayType  *columns = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *names;
	bool	   *nulls;
	int			n;
	TrustWalk	walk = {0};

	walk.reader = GetUserId();
	deconstruct_array(columns, TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &n);
	if (TrustRelation(&walk, relid, false, NULL))
	{
		for (int i = 0; i < n; i++)
			if (!nulls[i] && !TrustReadColumn(&walk, relid, TextDatumGetCString(names[i])))
				break;
	}
	if (walk.problem == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(walk.problem));
}
