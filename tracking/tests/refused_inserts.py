"""A real database failure for the tests: a trigger that refuses every INSERT into a table, on
PostgreSQL (a constraint violation, so the driver raises an IntegrityError) and on SQLite."""


def refuse_inserts_sql(table: str, message: str) -> dict[str, list[str]]:
    """Per database vendor, the statements that make every INSERT into `table` fail with
    `message`."""
    name = f"test_refuse_insert_{table}"
    return {
        "postgresql": [
            f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
            END $$
            """,
            f"""
            CREATE TRIGGER {name} BEFORE INSERT ON {table}
            FOR EACH ROW EXECUTE FUNCTION {name}()
            """,
        ],
        "sqlite": [
            f"""
            CREATE TRIGGER {name} BEFORE INSERT ON {table}
            BEGIN SELECT RAISE(ABORT, '{message}'); END
            """
        ],
    }


def allow_inserts_sql(table: str) -> dict[str, list[str]]:
    """Per database vendor, the statements that undo `refuse_inserts_sql(table, ...)`."""
    name = f"test_refuse_insert_{table}"
    return {
        "postgresql": [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"],
        "sqlite": [f"DROP TRIGGER {name}"],
    }
