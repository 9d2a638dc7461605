/// The report's filter script, inlined in the page: plain JavaScript, no library. It shows the
/// filter form, hides queue entries (and their lines in the person and clause lists) that do not
/// pass, writes the visible count into `#visible-count`, and keeps the filter in the URL fragment
/// (`#f:sev=serious&pack=dsat&person=p-2&from=2024-01-01&to=2024-03-31`), so that a filtered view
/// can be bookmarked, and tested with a headless browser.
enum ReportScript {
    static let js = """
        (function(){
        "use strict";
        var form=document.getElementById("filters");
        if(!form)return;
        form.hidden=false;
        var entries=Array.prototype.slice.call(document.querySelectorAll("li.entry"));
        var compact=Array.prototype.slice.call(document.querySelectorAll("ol.compact li[data-m]"));
        var people=Array.prototype.slice.call(document.querySelectorAll("article.person"));
        var clauses=Array.prototype.slice.call(document.querySelectorAll("article.clause"));
        var counter=document.getElementById("visible-count");
        var sevs=["info","advice","breach","serious","critical"];
        function read(){
          var f={};
          ["sev","pack","person","from","to"].forEach(function(k){f[k]=form.elements[k].value;});
          return f;
        }
        function apply(f,write){
          var min=f.sev?sevs.indexOf(f.sev):0,shown=0,visible={};
          for(var i=0;i<entries.length;i++){
            var e=entries[i],d=e.getAttribute("data-date"),ok=Number(e.getAttribute("data-sev"))>=min;
            if(ok&&f.pack)ok=e.getAttribute("data-packs").indexOf(" "+f.pack+" ")>=0;
            if(ok&&f.person)ok=e.getAttribute("data-person")===f.person;
            if(ok&&f.from)ok=d!==""&&d>=f.from;
            if(ok&&f.to)ok=d!==""&&d<=f.to;
            e.classList.toggle("filtered-out",!ok);
            if(ok){shown++;visible[e.id.slice(2)]=true;}
          }
          for(var j=0;j<compact.length;j++)compact[j].classList.toggle("filtered-out",!visible[compact[j].getAttribute("data-m")]);
          for(var k=0;k<people.length;k++){
            var p=people[k];
            p.classList.toggle("filtered-out",!!f.person&&p.getAttribute("data-person")!==f.person);
          }
          for(var c=0;c<clauses.length;c++){
            var any=clauses[c].querySelector("ol.compact li:not(.filtered-out)");
            clauses[c].classList.toggle("filtered-out",!any);
          }
          counter.textContent=String(shown);
          document.body.setAttribute("data-visible",String(shown));
          if(write){
            var parts=[];
            Object.keys(f).forEach(function(k){if(f[k])parts.push(k+"="+encodeURIComponent(f[k]));});
            history.replaceState(null,"",parts.length?"#f:"+parts.join("&"):location.pathname+location.search);
          }
        }
        function fromHash(){
          var h=location.hash;
          if(h.indexOf("#f:")!==0)return false;
          ["sev","pack","person","from","to"].forEach(function(k){form.elements[k].value="";});
          h.slice(3).split("&").forEach(function(kv){
            var i=kv.indexOf("=");if(i<0)return;
            var k=kv.slice(0,i),v=decodeURIComponent(kv.slice(i+1));
            if(form.elements[k])form.elements[k].value=v;
          });
          return true;
        }
        form.addEventListener("change",function(){apply(read(),true);});
        form.addEventListener("reset",function(){setTimeout(function(){apply(read(),true);},0);});
        window.addEventListener("hashchange",function(){if(fromHash())apply(read(),false);});
        if(fromHash())apply(read(),false);else apply(read(),false);
        })();
        """
}
