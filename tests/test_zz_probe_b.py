import re, json
import pytest
from drf_spectacular.generators import SchemaGenerator

VALUES = [1e300, 1.5, -1, 0, 9223372036854775807, -9223372036854775808, "1e400", "99999999999999999999999", True, [], {}, [1e300], [9223372036854775807], "0001-01-01", "9999-12-31", "x"*100000, "a\x01b", {"a": 1e300}]

def test_probe(world, api_for):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    comps = schema["components"]["schemas"]
    bad = []
    for role in ["hr", "engineer", "manager"]:
        c = api_for(role)
        for path, ops in schema["paths"].items():
            url = re.sub(r"\{[^}]+\}", "1", path)
            for method in ["post", "put", "patch"]:
                if method not in ops: continue
                rb = ops[method].get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if not rb: continue
                ref = rb.get("$ref", "")
                props = comps.get(ref.split("/")[-1], {}).get("properties", {})
                for prop in props:
                    for v in VALUES:
                        try:
                            r = getattr(c, method)(url, {prop: v}, format="json")
                            code = r.status_code
                        except Exception as e:
                            code = repr(e)[:150]
                        if not isinstance(code, int) or code >= 500:
                            bad.append((role, method, url, prop, repr(v)[:40], code))
    for b in bad:
        print("BAD", b)
    print("count", len(bad))
